/**
 * Load a page or component of ours with miniprogram-simulate (pages are built with Component(),
 * so the same tool renders them). WXML goes through WeChat's compiler (miniprogram-compiler's
 * wcc), so tests also prove the templates compile. TDesign tags (t-*) are a plain slot-forwarding
 * stub unless the test asks for the real ones — render(rel, props, {tdesign: ['t-button', …]}) —
 * so a test can tap a real t-button or a stepper's plus and have the page's bind:tap / bind:change
 * run through the component (tests/helpers/tdesign.js).
 */
'use strict'

const fs = require('fs')
const path = require('path')
const simulate = require('miniprogram-simulate')
const simulateUtils = require('miniprogram-simulate/src/utils')
const tdesign = require('./tdesign')

const ROOT = path.resolve(__dirname, '../..')

// simulate runs a component's JS with require() and then deletes require.cache, which Jest's
// module registry ignores: a component loaded twice in one file would never call Component()
// again. Run the file's source afresh each time instead, with a require that shares the test's
// module registry (so core/store.js is the same object the test sees).
simulateUtils.runJs = (filePath) => {
  const file = filePath.endsWith('.js') ? filePath : `${filePath}.js`
  if (tdesign.isTDesign(file)) return tdesign.runComponent(file)
  const source = fs.readFileSync(file, 'utf8')
  const mod = { exports: {} }
  const localRequire = (p) => require(p.startsWith('.') ? path.resolve(path.dirname(file), p) : p)
  // eslint-disable-next-line no-new-func
  new Function('require', 'module', 'exports', '__filename', '__dirname', source)(localRequire, mod, mod.exports, file, path.dirname(file))
  return mod.exports
}

function allOwnJson(dir = ROOT, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'miniprogram_npm', 'tests', 'scripts', '.git'].includes(entry.name)) continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) allOwnJson(full, found)
    else if (entry.name === 'index.json') found.push(full)
  }
  return found
}

let wxmlList = null
/** Our templates and TDesign's (wcc otherwise compiles every .wxml under the root, tests' too). */
function allWxml() {
  if (!wxmlList) {
    wxmlList = allOwnJson()
      .map((f) => path.relative(ROOT, f).replace(/\\/g, '/').replace(/\.json$/, '.wxml'))
      .filter((f) => fs.existsSync(path.join(ROOT, f)))
      .concat(tdesign.templates().wxml)
  }
  return wxmlList.slice()
}

let stubs = null
function tdesignStubs() {
  if (stubs) return stubs
  const stubId = simulate.load({
    template: '<view class="t-stub"><slot /></view>',
    options: { addGlobalClass: true },
  })
  stubs = {}
  allOwnJson().forEach((file) => {
    const json = JSON.parse(fs.readFileSync(file, 'utf8'))
    Object.keys(json.usingComponents || {}).forEach((name) => {
      if (name.startsWith('t-')) stubs[name] = stubId
    })
  })
  return stubs
}

/**
 * Render `rel` ("pages/home/index") attached to the document; returns the simulate wrapper.
 * options.tdesign: the t-* tags to load as the real TDesign components (the rest stay stubs).
 */
function render(rel, props, options = {}) {
  const usingComponents = Object.assign({}, tdesignStubs())
  ;(options.tdesign || []).forEach((tag) => (usingComponents[tag] = tdesign.componentPath(tag)))
  const id = simulate.load(path.join(ROOT, rel), {
    rootPath: ROOT,
    usingComponents,
    compiler: 'official',
    compilerOptions: { wxmlList: allWxml(), wxsList: ['wxs/money.wxs'].concat(tdesign.templates().wxs) },
  })
  const comp = simulate.render(id, props)
  // the page stack, as TDesign's sticky / tabs ask for it (common/utils.js getCurrentPage)
  global.getCurrentPages = () => [comp.instance]
  comp.attach(document.createElement('parent-wrapper'))
  return comp
}

function text(comp, selector) {
  const node = comp.querySelector(selector)
  return node ? node.dom.textContent.replace(/\s+/g, ' ').trim() : null
}

function texts(comp, selector) {
  return comp.querySelectorAll(selector).map((n) => n.dom.textContent.replace(/\s+/g, ' ').trim())
}

module.exports = { render, text, texts, ROOT, simulate }
