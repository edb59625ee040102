/* The segment rule builder (F34): edits the rule tree in the hidden field and shows the live
   count and a sample of shoppers from the preview endpoint as conditions change. */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/csrftoken=([^;]+)/);
    if (match) return match[1];
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "class") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function select(options, value, attrs) {
    var node = el("select", Object.assign({ class: "border rounded-default px-2 py-1" }, attrs || {}));
    options.forEach(function (pair) {
      var option = el("option", { value: String(pair[0]), text: pair[1] });
      if (Array.isArray(value) ? value.map(String).indexOf(String(pair[0])) >= 0 : String(value) === String(pair[0])) {
        option.selected = true;
      }
      node.appendChild(option);
    });
    return node;
  }

  function Builder(root) {
    this.root = root;
    this.config = JSON.parse(document.getElementById("segment-builder-config").textContent);
    this.field = document.getElementById(root.dataset.field);
    this.previewUrl = root.dataset.previewUrl;
    this.fields = {};
    var self = this;
    this.config.fields.forEach(function (f) { self.fields[f.name] = f; });
    var tree;
    try { tree = JSON.parse(this.field.value || "{}"); } catch (e) { tree = {}; }
    this.tree = tree && tree.conditions ? tree : { op: "all", conditions: [] };
    this.timer = null;
    this.render();
  }

  Builder.prototype.changed = function () {
    this.field.value = JSON.stringify(this.tree);
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.preview(); }, 300);
  };

  Builder.prototype.preview = function () {
    var root = this.root;
    var texts = this.config.texts;
    var count = root.querySelector("[data-testid=segment-count]");
    var sample = root.querySelector("[data-testid=segment-sample]");
    fetch(this.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(this.tree),
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      sample.innerHTML = "";
      if (!result.ok) { count.textContent = texts.invalid; return; }
      count.textContent = String(result.data.count);
      result.data.sample.forEach(function (m) {
        var link = el("a", { href: m.url, text: m.name + " · " + m.tier + (m.phone ? " · " + m.phone : "") });
        sample.appendChild(el("li", {}, [link]));
      });
    });
  };

  Builder.prototype.defaultCondition = function () {
    return { field: "tier", operator: "in", value: ["gold"] };
  };

  Builder.prototype.valueInput = function (cond) {
    var self = this;
    var field = this.fields[cond.field];
    var choices = this.config.choices[cond.field];
    var node;
    if (field.value === "list" && choices) {
      node = select(choices, cond.value || [], { multiple: "multiple", "data-role": "value" });
      node.addEventListener("change", function () {
        cond.value = Array.prototype.filter.call(node.options, function (o) { return o.selected; }).map(function (o) {
          return cond.field === "birthday_month" ? parseInt(o.value, 10) : o.value;
        });
        self.changed();
      });
    } else if (field.value === "list") {
      node = el("input", { type: "text", placeholder: this.config.texts.cities, class: "border rounded-default px-2 py-1", "data-role": "value" });
      node.value = (cond.value || []).join("，");
      node.addEventListener("input", function () {
        cond.value = node.value.split(/[,，\s]+/).filter(Boolean);
        self.changed();
      });
    } else if ((field.value === "id" || field.value === "tool") && choices) {
      node = select(choices, cond.value, { "data-role": "value" });
      if (cond.value === undefined || cond.value === null) cond.value = field.value === "tool" ? choices[0][0] : parseInt(choices[0] && choices[0][0], 10);
      node.addEventListener("change", function () {
        cond.value = field.value === "tool" ? node.value : parseInt(node.value, 10);
        self.changed();
      });
    } else {
      var money = field.value === "money";
      var between = cond.operator === "between";
      var wrap = el("span", { class: "inline-flex gap-1 items-center" });
      var parts = between ? [0, 1] : [null];
      if (between && !Array.isArray(cond.value)) cond.value = [0, 0];
      if (!between && Array.isArray(cond.value)) cond.value = 0;
      parts.forEach(function (index) {
        var current = index === null ? cond.value : cond.value[index];
        var input = el("input", { type: "number", min: "0", step: money ? "0.01" : "1", class: "border rounded-default px-2 py-1 w-28", "data-role": "value" });
        input.value = current === undefined || current === null ? "" : (money ? (current / 100).toFixed(2) : current);
        input.addEventListener("input", function () {
          var n = money ? Math.round(parseFloat(input.value || "0") * 100) : parseInt(input.value || "0", 10);
          if (index === null) cond.value = n; else cond.value[index] = n;
          self.changed();
        });
        wrap.appendChild(input);
        if (money) wrap.appendChild(el("span", { text: self.config.texts.yuan }));
      });
      node = wrap;
    }
    return node;
  };

  Builder.prototype.renderCondition = function (cond, list, index) {
    var self = this;
    var field = this.fields[cond.field];
    var row = el("div", { class: "flex flex-wrap gap-2 items-center", "data-testid": "segment-condition" });
    var fieldSelect = select(this.config.fields.map(function (f) { return [f.name, f.label]; }), cond.field, { "data-role": "field" });
    fieldSelect.addEventListener("change", function () {
      var next = self.fields[fieldSelect.value];
      list[index] = { field: next.name, operator: next.operators[0][0] };
      self.render();
      self.changed();
    });
    var opSelect = select(field.operators, cond.operator, { "data-role": "operator" });
    opSelect.addEventListener("change", function () { cond.operator = opSelect.value; self.render(); self.changed(); });
    row.appendChild(fieldSelect);
    row.appendChild(opSelect);
    row.appendChild(this.valueInput(cond));
    if (field.windowed) {
      var days = el("input", { type: "number", min: "1", placeholder: this.config.texts.days, class: "border rounded-default px-2 py-1 w-48", "data-role": "days" });
      days.value = cond.days || "";
      days.addEventListener("input", function () {
        if (days.value) cond.days = parseInt(days.value, 10); else delete cond.days;
        self.changed();
      });
      row.appendChild(days);
    }
    var remove = el("button", { type: "button", class: "text-red-600", text: this.config.texts.remove });
    remove.addEventListener("click", function () { list.splice(index, 1); self.render(); self.changed(); });
    row.appendChild(remove);
    return row;
  };

  Builder.prototype.renderGroup = function (group, parentList, parentIndex) {
    var self = this;
    var box = el("div", { class: "border border-base-200 dark:border-base-800 rounded-default p-3 flex flex-col gap-2", "data-testid": "segment-group" });
    var head = el("div", { class: "flex gap-2 items-center" });
    var op = select(this.config.ops, group.op, { "data-role": "op" });
    op.addEventListener("change", function () { group.op = op.value; self.changed(); });
    head.appendChild(op);
    var add = el("button", { type: "button", class: "text-primary-600", text: "+ " + this.config.texts.add, "data-testid": "segment-add" });
    add.addEventListener("click", function () { group.conditions.push(self.defaultCondition()); self.render(); self.changed(); });
    var addGroup = el("button", { type: "button", class: "text-primary-600", text: "+ " + this.config.texts.addGroup });
    addGroup.addEventListener("click", function () {
      group.conditions.push({ op: "any", conditions: [self.defaultCondition()] });
      self.render();
      self.changed();
    });
    head.appendChild(add);
    head.appendChild(addGroup);
    if (parentList) {
      var remove = el("button", { type: "button", class: "text-red-600", text: this.config.texts.remove });
      remove.addEventListener("click", function () { parentList.splice(parentIndex, 1); self.render(); self.changed(); });
      head.appendChild(remove);
    }
    box.appendChild(head);
    group.conditions.forEach(function (cond, index) {
      box.appendChild(cond.conditions ? self.renderGroup(cond, group.conditions, index) : self.renderCondition(cond, group.conditions, index));
    });
    return box;
  };

  Builder.prototype.render = function () {
    var holder = this.root.querySelector(".segment-builder-tree");
    holder.innerHTML = "";
    holder.appendChild(this.renderGroup(this.tree, null, null));
  };

  function start() {
    document.querySelectorAll(".segment-builder").forEach(function (root) {
      var builder = new Builder(root);
      builder.changed();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
