/* Tunebench: the feature distribution plots of a dataset page, drawn lazily.

   The page carries every plot's data in one JSON block (#plot-specs) and an empty element
   per plot ([data-plot="<feature index>"]). A plot is drawn only when its element comes
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

  function figure(spec) {
    var style = getComputedStyle(document.documentElement);
    var accent = style.getPropertyValue("--accent").trim() || "#1d4ed8";
    var text = style.getPropertyValue("--text").trim() || "#1b1f24";
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
