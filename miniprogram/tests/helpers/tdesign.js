/**
 * The real TDesign components (miniprogram_npm/tdesign-miniprogram, as vendored for WeChat) in
 * miniprogram-simulate. TDesign ships ES modules (import/export around tslib decorators), which
 * WeChat's own bundler turns into CommonJS; here @babel/plugin-transform-modules-commonjs does
 * it, and `tslib` resolves the way WeChat resolves it (the nearest miniprogram_npm up the tree).
 * Shared modules run once per test file; a component's own file runs afresh each time simulate
 * loads it, so its Component() registers again.
 */
'use strict'

const fs = require('fs')
const path = require('path')
const babel = require('@babel/core')

const ROOT = path.resolve(__dirname, '../..')
const NPM = path.join(ROOT, 'miniprogram_npm')
const TDESIGN = path.join(NPM, 'tdesign-miniprogram')

const compiled = new Map()
const modules = new Map()

function isTDesign(file) {
  return file.startsWith(NPM + path.sep)
}

function source(file) {
  if (!compiled.has(file)) {
    const out = babel.transformSync(fs.readFileSync(file, 'utf8'), {
      filename: file,
      babelrc: false,
      configFile: false,
      sourceType: 'module',
      plugins: ['@babel/plugin-transform-modules-commonjs'],
    })
    compiled.set(file, out.code)
  }
  return compiled.get(file)
}

function resolveFile(request, fromDir) {
  const bases = []
  if (request.startsWith('.') || request.startsWith('/')) bases.push(path.resolve(fromDir, request))
  else {
    // WeChat's npm: the nearest miniprogram_npm/<name> up from the requiring file
    for (let dir = fromDir; dir.startsWith(NPM); dir = path.dirname(dir)) bases.push(path.join(dir, 'miniprogram_npm', request))
  }
  for (const base of bases) {
    for (const candidate of [base, `${base}.js`, path.join(base, 'index.js')]) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate
    }
  }
  return null
}

function run(file, mod) {
  const dir = path.dirname(file)
  const localRequire = (request) => {
    const found = resolveFile(request, dir)
    if (found && isTDesign(found)) return requireModule(found)
    return require(request)
  }
  // eslint-disable-next-line no-new-func
  new Function('require', 'module', 'exports', '__filename', '__dirname', source(file))(localRequire, mod, mod.exports, file, dir)
  return mod.exports
}

function requireModule(file) {
  if (!modules.has(file)) {
    const mod = { exports: {} }
    modules.set(file, mod)
    run(file, mod)
  }
  return modules.get(file).exports
}

/** simulate's runJs for a TDesign component file: afresh, so Component() runs again. */
function runComponent(file) {
  return run(file, { exports: {} })
}

/** "t-button" → the absolute (to the mini-program root) path simulate loads it from. */
function componentPath(tag) {
  const name = tag.replace(/^t-/, '')
  return `/miniprogram_npm/tdesign-miniprogram/${name}/${name}`
}

/** Every TDesign template and wxs module, relative to the root, for wcc (15 small components). */
function templates() {
  const wxml = new Set()
  const wxs = new Set()
  const visit = (dir) => {
    fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) return visit(full)
      const rel = path.relative(ROOT, full).replace(/\\/g, '/')
      if (entry.name.endsWith('.wxml')) wxml.add(rel)
      if (entry.name.endsWith('.wxs')) wxs.add(rel)
      return null
    })
  }
  visit(TDESIGN)
  return { wxml: Array.from(wxml), wxs: Array.from(wxs) }
}

module.exports = { isTDesign, runComponent, componentPath, templates, TDESIGN }
