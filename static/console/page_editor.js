/* The campaign page editor (F26): blocks as a list the merchant drags, edits and previews.
 * Each block's form is built from its type's declared schema (#pe-catalogue); the preview pane
 * asks the server to resolve and draw the unsaved blocks exactly as the mini-program gets them. */
(function () {
  'use strict'
  var read = function (id) { return JSON.parse(document.getElementById(id).textContent) }
  var catalogue = read('pe-catalogue')
  var config = read('pe-config')
  var text = read('pe-text')
  var types = {}
  catalogue.forEach(function (t) { types[t.type] = t })
  var blocks = read('pe-initial').filter(function (b) { return types[b.type] })
  var open = {}
  var notes = {} // "created …" per block, kept across re-renders
  var listEl = document.getElementById('pe-blocks')
  var paletteEl = document.getElementById('pe-palette')
  var previewEl = document.getElementById('pe-preview')
  var csrf = (document.querySelector('[name=csrfmiddlewaretoken]') || {}).value || ''

  function key() { return Math.random().toString(36).slice(2, 10).padEnd(8, '0') }
  function el(tag, attrs, children) {
    var node = document.createElement(tag)
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k]
      else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), attrs[k])
      else node.setAttribute(k, attrs[k])
    })
    ;(children || []).forEach(function (c) { if (c) node.appendChild(c) })
    return node
  }

  function defaults(type) {
    var s = {}
    types[type].fields.forEach(function (f) { if (f.default !== null) s[f.name] = f.default })
    return s
  }
  function add(type, at) {
    var block = { key: key(), type: type, settings: defaults(type) }
    if (at === undefined || at > blocks.length) at = blocks.length
    blocks.splice(at, 0, block)
    open[block.key] = true
    changed()
  }
  function move(from, to) {
    if (to < 0 || to >= blocks.length || from === to) return
    var b = blocks.splice(from, 1)[0]
    blocks.splice(to, 0, b)
    changed()
  }

  function visible(f, settings, spec) {
    if (!f.when) return true
    var value = settings[f.when[0]]
    if (value === undefined) {
      var other = spec.fields.filter(function (g) { return g.name === f.when[0] })[0]
      value = other ? other.default : undefined
    }
    return f.when[1].indexOf(value) >= 0
  }
  function asText(f, value) {
    if (value === undefined || value === null) return ''
    if (f.kind === 'ids' && Array.isArray(value)) return value.join(',')
    if (f.kind === 'lines' && Array.isArray(value)) {
      return value.map(function (row) { return [row.title, row.icon || '', row.link || ''].join(' | ') }).join('\n')
    }
    if (f.kind === 'datetime' && value) return String(value).slice(0, 16)
    return String(value)
  }
  function fromInput(f, input) {
    if (f.kind === 'bool') return input.checked
    if (f.kind === 'datetime') return input.value ? input.value + ':00+08:00' : ''
    return input.value
  }

  function fieldRow(block, f) {
    var id = 'pe-' + block.key + '-' + f.name
    var input
    var value = block.settings[f.name]
    if (f.kind === 'choice') {
      input = el('select', { id: id, class: 'dy-pe-input' }, f.choices.map(function (c) {
        var o = el('option', { value: c[0], text: c[1] })
        if (String(value) === c[0]) o.selected = true
        return o
      }))
    } else if (f.kind === 'textarea' || f.kind === 'lines') {
      input = el('textarea', { id: id, rows: f.kind === 'lines' ? 4 : 5, class: 'dy-pe-input' })
      input.value = asText(f, value)
    } else if (f.kind === 'bool') {
      input = el('input', { id: id, type: 'checkbox' })
      input.checked = !!value
    } else {
      input = el('input', { id: id, class: 'dy-pe-input', type: f.kind === 'datetime' ? 'datetime-local' : (f.kind === 'int' ? 'number' : 'text') })
      input.value = asText(f, value)
    }
    input.setAttribute('data-field', f.name)
    input.addEventListener('change', function () {
      block.settings[f.name] = fromInput(f, input)
      if (f.kind === 'choice') render()
      changed(true)
    })
    return el('div', { class: 'dy-pe-field' }, [
      el('label', { for: id, text: f.label + (f.required ? ' *' : '') }),
      input,
      f.help ? el('div', { class: 'dy-pe-help', text: f.help }) : null,
    ])
  }

  function flashForm(block) {
    var names = [['title', text.slotTitle, 'text'], ['starts_at', text.start, 'datetime-local'], ['ends_at', text.end, 'datetime-local'],
      ['sku_id', text.sku, 'number'], ['flash_price', text.price, 'text'], ['quota', text.quota, 'number'], ['per_shopper_limit', text.limit, 'number']]
    var inputs = {}
    var errors = el('div', { class: 'dy-pe-errors', 'data-testid': 'flash-inline-errors' })
    var rows = names.map(function (n) {
      inputs[n[0]] = el('input', { class: 'dy-pe-input', type: n[2], name: n[0], 'data-flash': n[0] })
      if (n[0] === 'per_shopper_limit') inputs[n[0]].value = '1'
      return el('div', { class: 'dy-pe-field' }, [el('label', { text: n[1] }), inputs[n[0]]])
    })
    var button = el('button', { type: 'button', class: 'dy-pe-button', text: text.create, 'data-testid': 'flash-inline-create', onclick: function () {
      var body = new FormData()
      Object.keys(inputs).forEach(function (k) { body.append(k, inputs[k].value) })
      fetch(config.flash, { method: 'POST', body: body, headers: { 'X-CSRFToken': csrf }, credentials: 'same-origin' })
        .then(function (r) { return r.json() })
        .then(function (answer) {
          if (answer.errors) {
            errors.textContent = Object.keys(answer.errors).map(function (k) { return answer.errors[k].join(' ') }).join('；')
            return
          }
          block.settings.slot_id = answer.slot_id
          errors.textContent = text.created + answer.title
          render()
          changed()
        })
    } })
    return el('details', { class: 'dy-pe-inline' }, [el('summary', { text: text.newFlash })].concat(rows, [button, errors]))
  }

  /* 拼团 / 砍价: the tool's own console form, described by the server and validated there. */
  function toolForm(block, kind) {
    var url = config.tools[kind]
    var inputs = {}
    var fieldsEl = el('div', { class: 'dy-pe-tool-fields' })
    var errors = el('div', { class: notes[block.key] ? 'dy-pe-errors dy-pe-done' : 'dy-pe-errors', 'data-testid': 'tool-inline-errors', text: notes[block.key] || '' })
    var product = kind === 'group_buy' ? el('input', { class: 'dy-pe-input', type: 'number', name: 'product', 'data-testid': 'tool-inline-product' }) : null
    function query() { return product ? '?product=' + encodeURIComponent(product.value) : '' }
    function input(f) {
      var node
      if (f.kind === 'choice') {
        node = el('select', { class: 'dy-pe-input', name: f.name }, f.choices.map(function (c) { return el('option', { value: c[0], text: c[1] }) }))
        node.value = f.initial === null ? '' : String(f.initial)
      } else if (f.kind === 'bool') {
        node = el('input', { type: 'checkbox', name: f.name })
        node.checked = !!f.initial
      } else {
        node = el('input', { class: 'dy-pe-input', name: f.name, type: f.kind === 'datetime' ? 'datetime-local' : (f.kind === 'int' ? 'number' : 'text') })
        node.value = f.initial === null || f.initial === undefined ? '' : String(f.initial)
      }
      node.setAttribute('data-tool-field', f.name)
      inputs[f.name] = node
      return el('div', { class: 'dy-pe-field' }, [el('label', { text: f.label + (f.required ? ' *' : '') }), node, f.help ? el('div', { class: 'dy-pe-help', text: f.help }) : null])
    }
    function showErrors(answer) {
      errors.className = 'dy-pe-errors'
      errors.textContent = Object.keys(answer.errors).map(function (k) { return answer.errors[k].join(' ') }).join('；')
    }
    function load() {
      errors.textContent = ''
      fetch(url + query(), { credentials: 'same-origin' }).then(function (r) { return r.json() }).then(function (answer) {
        if (answer.errors) return showErrors(answer)
        inputs = {}
        fieldsEl.innerHTML = ''
        answer.fields.forEach(function (f) { fieldsEl.appendChild(input(f)) })
        fieldsEl.appendChild(create)
      })
    }
    var create = el('button', { type: 'button', class: 'dy-pe-button', text: text.createTool, 'data-testid': 'tool-inline-create', onclick: function () {
      var body = new FormData()
      Object.keys(inputs).forEach(function (k) {
        var node = inputs[k]
        if (node.type === 'checkbox') { if (node.checked) body.append(k, 'on') } else body.append(k, node.value)
      })
      fetch(url + query(), { method: 'POST', body: body, headers: { 'X-CSRFToken': csrf }, credentials: 'same-origin' })
        .then(function (r) { return r.json() })
        .then(function (answer) {
          if (answer.errors) return showErrors(answer)
          var ids = block.settings.campaign_ids
          ids = Array.isArray(ids) ? ids.slice() : String(ids || '').split(/[,，\s]+/).filter(Boolean).map(Number)
          ids.push(answer.id)
          block.settings.campaign_ids = ids
          notes[block.key] = text.toolCreated + answer.title
          render()
          changed()
        })
    } })
    var head = product
      ? [el('div', { class: 'dy-pe-field' }, [el('label', { text: text.product }), product]), el('button', { type: 'button', class: 'dy-pe-button', text: text.loadForm, 'data-testid': 'tool-inline-load', onclick: load })]
      : []
    var details = el('details', { class: 'dy-pe-inline', 'data-testid': 'tool-inline-' + kind }, [el('summary', { text: kind === 'group_buy' ? text.newGroupBuy : text.newBargain })].concat(head, [fieldsEl, errors]))
    if (notes[block.key]) details.setAttribute('open', '') // the merchant sees what was just created
    if (!product) details.addEventListener('toggle', function () { if (details.open && !fieldsEl.childNodes.length) load() })
    return details
  }

  function card(block, index) {
    var spec = types[block.type]
    var head = el('div', { class: 'dy-pe-card-head' }, [
      el('span', { class: 'dy-pe-handle', title: text.drag, text: '⋮⋮' }),
      el('span', { class: 'material-symbols-outlined', text: spec.icon }),
      el('strong', { text: spec.label }),
      el('span', { class: 'dy-pe-help', text: block.settings.title || '' }),
      el('span', { class: 'dy-pe-spacer' }),
      el('button', { type: 'button', class: 'dy-pe-link', text: text.edit, onclick: function () { open[block.key] = !open[block.key]; render() } }),
      el('button', { type: 'button', class: 'dy-pe-link', text: '↑', title: text.up, 'data-testid': 'block-up-' + index, onclick: function () { move(index, index - 1) } }),
      el('button', { type: 'button', class: 'dy-pe-link', text: '↓', title: text.down, 'data-testid': 'block-down-' + index, onclick: function () { move(index, index + 1) } }),
      el('button', { type: 'button', class: 'dy-pe-link danger', text: text.remove, 'data-testid': 'block-remove-' + index, onclick: function () { blocks.splice(index, 1); changed() } }),
    ])
    var node = el('div', { class: 'dy-pe-card', draggable: 'true', 'data-index': index, 'data-type': block.type, 'data-testid': 'block-' + index }, [head])
    if (open[block.key]) {
      var form = el('div', { class: 'dy-pe-form' }, spec.fields.filter(function (f) { return visible(f, block.settings, spec) }).map(function (f) { return fieldRow(block, f) }))
      if (spec.creates_tool === 'flash' && config.canFlash) form.appendChild(flashForm(block))
      else if (spec.creates_tool && (config.tools || {})[spec.creates_tool]) form.appendChild(toolForm(block, spec.creates_tool))
      node.appendChild(form)
    }
    node.addEventListener('dragstart', function (e) { e.dataTransfer.setData('text/x-block', String(index)) })
    return node
  }

  function dropIndex(e) {
    var target = e.target.closest('.dy-pe-card')
    if (!target) return blocks.length
    var rect = target.getBoundingClientRect()
    var i = Number(target.getAttribute('data-index'))
    return e.clientY > rect.top + rect.height / 2 ? i + 1 : i
  }
  listEl.addEventListener('dragover', function (e) { e.preventDefault(); listEl.classList.add('dragging') })
  listEl.addEventListener('dragleave', function () { listEl.classList.remove('dragging') })
  listEl.addEventListener('drop', function (e) {
    e.preventDefault()
    listEl.classList.remove('dragging')
    var at = dropIndex(e)
    var newType = e.dataTransfer.getData('text/x-new-block')
    if (newType) return add(newType, at)
    var from = e.dataTransfer.getData('text/x-block')
    if (from !== '') {
      from = Number(from)
      move(from, at > from ? at - 1 : at)
    }
  })

  function render() {
    listEl.innerHTML = ''
    if (!blocks.length) listEl.appendChild(el('div', { class: 'dy-pe-empty', text: text.empty }))
    blocks.forEach(function (b, i) { listEl.appendChild(card(b, i)) })
    var input = document.getElementById('pe-blocks-input')
    if (input) input.value = JSON.stringify(blocks)
  }

  var timer = null
  function preview(versionId) {
    var request = versionId
      ? fetch(config.preview + '?version=' + versionId, { credentials: 'same-origin' })
      : fetch(config.preview, { method: 'POST', body: JSON.stringify(blocks), headers: { 'X-CSRFToken': csrf, 'Content-Type': 'application/json' }, credentials: 'same-origin' })
    return request.then(function (r) { return r.text() }).then(function (html) { previewEl.innerHTML = html })
  }
  function changed(keepForm) {
    if (!keepForm) render()
    else { var input = document.getElementById('pe-blocks-input'); if (input) input.value = JSON.stringify(blocks) }
    clearTimeout(timer)
    timer = setTimeout(preview, 300)
  }

  catalogue.forEach(function (t) {
    var item = el('div', { class: 'dy-pe-type', draggable: 'true', 'data-testid': 'palette-' + t.type, onclick: function () { add(t.type) } }, [
      el('span', { class: 'material-symbols-outlined', text: t.icon }), el('span', { text: t.label }),
    ])
    item.addEventListener('dragstart', function (e) { e.dataTransfer.setData('text/x-new-block', t.type) })
    paletteEl.appendChild(item)
  })
  document.querySelectorAll('[data-preview-version]').forEach(function (a) {
    a.addEventListener('click', function (e) { e.preventDefault(); preview(a.getAttribute('data-preview-version')) })
  })
  render()
  preview()
})()
