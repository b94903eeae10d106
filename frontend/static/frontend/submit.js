/* Tunebench: the "Run on the server" form (task_submit.html).

   Without this file the form still works: "Choose" reloads the page with the chosen
   estimator's inputs, every input is shown (with the condition under which it applies),
   and the server leaves out whatever does not apply. With it:
   - choosing an estimator builds its inputs from the page's JSON (#estimator-spaces, the
     same rows the server renders with partials/hyperparameter.html), without a reload;
   - an input whose condition does not hold (SVC's degree unless kernel is "poly") is
     hidden and disabled, so it is not sent;
   - a "None / named value / A number" select shows its number box only for "A number". */
(function () {
  "use strict";

  var NUMBER = "__number__";

  function make(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      node.setAttribute(name, value === true ? "" : String(value));
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function options(select, row) {
    row.options.forEach(function (option) {
      var node = make("option", { value: option.value }, option.label);
      if (option.selected) node.selected = true;
      select.appendChild(node);
    });
  }

  // The markup of partials/hyperparameter.html, for one row of a space. Names and ids as
  // frontend/forms.py makes them: param-<name>, and param-<name>-number for the number box
  // beside a select of named values.
  function buildRow(row) {
    row.input_name = "param-" + row.name;
    row.id = "id_" + row.input_name;
    row.number_name = row.input_name + "-number";
    row.number_id = "id_" + row.number_name;
    var wrap = make("div", {
      class: "field param-field",
      "data-param": row.name,
      "data-widget": row.widget,
      "data-condition": row.condition_json || null,
    });
    var help = row.id + "_helptext";
    if (row.widget === "checkbox") {
      wrap.appendChild(make("input", { type: "hidden", name: row.input_name, value: "false" }));
      var label = make("label", { class: "checkbox-label", for: row.id });
      var box = make("input", {
        type: "checkbox", name: row.input_name, id: row.id, value: "true", "aria-describedby": help,
      });
      box.checked = row.checked;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(make("code", {}, row.name));
      wrap.appendChild(label);
    } else {
      var title = make("label", { for: row.id });
      title.appendChild(make("code", {}, row.name));
      wrap.appendChild(title);
      var number = {
        type: "number", value: row.number, min: row.low, max: row.high, step: row.step,
      };
      if (row.widget === "number") {
        number.name = row.input_name;
        number.id = row.id;
        number["aria-describedby"] = help;
        wrap.appendChild(make("input", number));
      } else {
        var select = make("select", { name: row.input_name, id: row.id, "aria-describedby": help });
        options(select, row);
        if (row.widget === "select") {
          wrap.appendChild(select);
        } else {
          var pair = make("div", { class: "mixed-input" });
          pair.appendChild(select);
          number.name = row.number_name;
          number.id = row.number_id;
          number["aria-label"] = row.name + " as a number";
          number.placeholder = row.low + " to " + row.high;
          pair.appendChild(make("input", number));
          wrap.appendChild(pair);
        }
      }
    }
    var text = make("div", { class: "help", id: help }, row.range + ". Default ");
    text.appendChild(make("code", {}, row.default));
    text.appendChild(document.createTextNode("."));
    if (row.condition_text) {
      text.appendChild(document.createTextNode(" "));
      text.appendChild(make("span", { class: "condition" }, row.condition_text));
    }
    wrap.appendChild(text);
    return wrap;
  }

  function parseChoice(text) {
    try {
      return JSON.parse(text);
    } catch (error) {
      return undefined;
    }
  }

  // The value an input holds now, as the space's JSON would write it.
  function currentValue(wrap) {
    var widget = wrap.getAttribute("data-widget");
    if (widget === "checkbox") return wrap.querySelector("input[type=checkbox]").checked;
    var select = wrap.querySelector("select");
    if (select && select.value !== NUMBER) return parseChoice(select.value);
    var text = wrap.querySelector("input[type=number]").value.trim();
    return text === "" ? undefined : Number(text);
  }

  function same(a, b) {
    if (Array.isArray(a) && Array.isArray(b)) {
      return a.length === b.length && a.every(function (item, i) { return same(item, b[i]); });
    }
    return a === b;
  }

  // Hide and disable every input whose condition does not hold: for each parent of its
  // condition, the parent must apply and hold one of the listed values.
  function applyConditions(container) {
    var wraps = {};
    container.querySelectorAll("[data-param]").forEach(function (wrap) {
      wraps[wrap.getAttribute("data-param")] = wrap;
    });
    var state = {};
    function active(name, seen) {
      if (Object.prototype.hasOwnProperty.call(state, name)) return state[name];
      var result = true;
      var condition = wraps[name].getAttribute("data-condition");
      var parsed = condition ? parseChoice(condition) : null;
      if (parsed) {
        Object.keys(parsed).some(function (parent) {
          if (!wraps[parent] || seen.indexOf(parent) >= 0 || !active(parent, seen.concat([name]))) {
            result = false;
          } else {
            var value = currentValue(wraps[parent]);
            result = parsed[parent].some(function (allowed) { return same(allowed, value); });
          }
          return !result;
        });
      }
      state[name] = result;
      return result;
    }
    Object.keys(wraps).forEach(function (name) {
      var wrap = wraps[name];
      var on = active(name, []);
      wrap.hidden = !on;
      wrap.classList.remove("param-inactive");
      wrap.querySelectorAll("input, select").forEach(function (input) { input.disabled = !on; });
      if (on && wrap.getAttribute("data-widget") === "mixed") {
        var number = wrap.querySelector("input[type=number]");
        var wanted = wrap.querySelector("select").value === NUMBER;
        number.hidden = !wanted;
        number.disabled = !wanted;
      }
    });
  }

  function init() {
    var source = document.getElementById("estimator-spaces");
    var chooser = document.getElementById("estimator-chooser");
    var form = document.getElementById("submit-form");
    if (!source || !chooser || !form) return;
    var spaces = JSON.parse(source.textContent);
    var select = chooser.querySelector("select[name=estimator]");
    var chosen = form.querySelector("input[name=estimator]");
    var section = document.getElementById("hyperparameters");
    var container = form.querySelector("[data-parameters]");
    var none = form.querySelector("[data-no-estimator]");
    var unseeded = form.querySelector("[data-unseeded-note]");
    chooser.querySelector("[data-choose]").hidden = true;
    chooser.addEventListener("submit", function (event) { event.preventDefault(); });

    select.addEventListener("change", function () {
      var space = spaces[select.value];
      chosen.value = space ? select.value : "";
      container.textContent = "";
      if (space) space.rows.forEach(function (row) { container.appendChild(buildRow(row)); });
      section.hidden = !space;
      none.hidden = Boolean(space);
      unseeded.hidden = !space || space.seeded;
      if (space) {
        section.querySelector("[data-estimator-label]").textContent = space.label;
        section.querySelector("[data-space-link]").href = space.url;
      }
      var field = select.closest(".field");
      field.classList.remove("field-invalid");
      var errors = field.querySelector(".field-errors");
      if (errors) errors.remove();
      var address = new URL(window.location.href);
      if (space) address.searchParams.set("estimator", select.value);
      else address.searchParams.delete("estimator");
      address.searchParams.delete("configuration");
      window.history.replaceState(null, "", address.pathname + address.search);
      applyConditions(container);
    });
    container.addEventListener("change", function () { applyConditions(container); });
    container.addEventListener("input", function () { applyConditions(container); });
    applyConditions(container);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
