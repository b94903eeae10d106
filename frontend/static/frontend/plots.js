/* Tunebench: the plots of dataset and task pages, drawn lazily.

   The page carries every plot's data in one JSON block (#plot-specs) and an empty element
   per plot ([data-plot="<key>"]): a feature's distribution, a target's class balance, or a
   task's run scores over time with the best so far (kind "scores"). A plot is drawn only when its element comes
   into view, which for the feature table means when its <details> is opened: a dataset of
   500 columns draws nothing it is not asked for. plotly.js itself (4-5 MB, served by
   Tunebench from the plotly package, cached for a year) is fetched on the first draw, so
   a page whose plots stay closed never downloads it. Without JavaScript the table still
   says what each column holds. */
(function () {
  "use strict";

  var script = document.currentScript;
  var plotlySrc = script && script.getAttribute("data-plotly-src");
  var specs = {};
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = plotlySrc;
        tag.async = true;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = function () { loading = null; reject(new Error("plotly.js did not load")); };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function baseLayout(text) {
    return {
      margin: { l: 48, r: 8, t: 8, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: text }
    };
  }

  // Every run's score as a point, and the best score so far as a step line.
  function scoresFigure(spec, accent, text) {
    var who = spec.who.map(function (name, i) { return [spec.runs[i], name]; });
    var points = {
      type: "scatter",
      mode: "markers",
      name: "run",
      x: spec.x,
      y: spec.y,
      customdata: who,
      marker: { color: accent, size: 8, opacity: 0.75 },
      hovertemplate: "Run %{customdata[0]} by %{customdata[1]}<br>%{y:.4g}<extra></extra>"
    };
    var best = {
      type: "scatter",
      mode: "lines",
      name: "best so far",
      x: spec.x,
      y: spec.best,
      line: { color: "#116329", width: 2, shape: "hv" },
      hovertemplate: "best so far: %{y:.4g}<extra></extra>"
    };
    var layout = baseLayout(text);
    layout.height = 260;
    layout.xaxis = { automargin: true, type: "date", fixedrange: true };
    // The page says which way is better; the axis only names the measure.
    layout.yaxis = { automargin: true, title: { text: spec.title }, fixedrange: true };
    layout.showlegend = true;
    layout.legend = { orientation: "h", x: 0, y: 1.12 };
    layout.margin.t = 28;
    return { data: [points, best], layout: layout };
  }

  function figure(spec) {
    var style = getComputedStyle(document.documentElement);
    var accent = style.getPropertyValue("--accent").trim() || "#1d4ed8";
    var text = style.getPropertyValue("--text").trim() || "#1b1f24";
    if (spec.kind === "scores") return scoresFigure(spec, accent, text);
    var histogram = spec.kind === "histogram";
    var trace = {
      type: "bar",
      x: spec.x,
      y: spec.y,
      customdata: spec.labels,
      marker: { color: accent },
      hovertemplate: "%{customdata}: %{y:,} rows<extra></extra>"
    };
    if (histogram) trace.width = spec.width;
    var layout = {
      height: 220,
      margin: { l: 48, r: 8, t: 8, b: 40 },
      bargap: histogram ? 0.04 : 0.2,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: text },
      xaxis: { automargin: true, type: histogram ? "linear" : "category", fixedrange: true },
      yaxis: { automargin: true, title: { text: "rows" }, rangemode: "tozero", fixedrange: true },
      showlegend: false
    };
    return { data: [trace], layout: layout };
  }

  function draw(element) {
    if (element.getAttribute("data-drawn")) return;
    var spec = specs[element.getAttribute("data-plot")];
    if (!spec || !plotlySrc) return;
    element.setAttribute("data-drawn", "1");
    element.classList.add("plot-loading");
    loadPlotly().then(function (Plotly) {
      var fig = figure(spec);
      element.classList.remove("plot-loading");
      return Plotly.newPlot(element, fig.data, fig.layout, {
        displayModeBar: false,
        responsive: true
      }).then(function () {
        // A run's point opens its page (the leaderboard links the best ones too).
        if (spec.links && element.on) {
          element.on("plotly_click", function (event) {
            var point = event.points && event.points[0];
            if (point && point.curveNumber === 0 && spec.links[point.pointIndex]) {
              window.location.href = spec.links[point.pointIndex];
            }
          });
        }
      });
    }).catch(function () {
      element.classList.remove("plot-loading");
      element.removeAttribute("data-drawn");
      element.textContent = "The plot could not be drawn. Reload the page to try again.";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("plot-specs");
    if (!source) return;
    specs = JSON.parse(source.textContent);
    var elements = document.querySelectorAll("[data-plot]");

    // Drawn when scrolled into view; a plot inside a closed <details> waits for it to open.
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting || entry.target.closest("details:not([open])")) return;
          observer.unobserve(entry.target);
          draw(entry.target);
        });
      }, { rootMargin: "200px 0px" });
      elements.forEach(function (element) { observer.observe(element); });
    }

    // And at once when a <details> opens ("toggle" does not bubble: listen while capturing).
    document.addEventListener("toggle", function (event) {
      var details = event.target;
      if (details.tagName !== "DETAILS" || !details.open) return;
      details.querySelectorAll("[data-plot]").forEach(draw);
    }, true);
  });
})();
