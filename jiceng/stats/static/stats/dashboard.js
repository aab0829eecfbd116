/* The figures dashboard's charts (ECharts), from the JSON the page embeds (json_script);
   a file, not an inline script, so the Content-Security-Policy can say script-src 'self'. */
(function () {
  "use strict";
  var charts = [];
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function bars(el, names, values, opts) {
    var chart = echarts.init(el, null, {renderer: "canvas"});
    chart.setOption({
      animation: false,
      grid: {left: 8, right: 48, top: 8, bottom: 24, containLabel: true},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, formatter: opts.tooltip},
      xAxis: {type: "value", max: opts.max, axisLabel: {formatter: opts.axisFormat}},
      yAxis: {type: "category", inverse: true, data: names,
              axisLabel: {width: 110, overflow: "truncate", interval: 0}},
      series: [{type: "bar", data: values, itemStyle: {color: "#b71c1c"}, barMaxWidth: 22,
                label: {show: true, position: "right", formatter: opts.labelFormat}}]
    });
    charts.push(chart);
    return chart;
  }
  var c = data("chart-data"), keep = data("keep-query") || "";
  var el = document.getElementById("chart-children");
  if (c && el) {
    var chart = bars(el, c.names, c.rates, {
      max: 100, axisFormat: "{value}%",
      labelFormat: function (p) { return p.value.toFixed(1) + "%"; },
      tooltip: function (p) {
        var i = p[0].dataIndex;
        return echarts.format.encodeHTML(c.names[i]) + "<br>" + c.rates[i].toFixed(1) + "% (" + c.numerators[i] + "/" + c.denominators[i] + ")";
      }
    });
    chart.on("click", function (p) {
      window.location.search = "?org=" + encodeURIComponent(c.codes[p.dataIndex]) + (keep ? "&" + keep : "");
    });
  }
  var u = data("units-data"), uel = document.getElementById("chart-units");
  if (u && uel) {
    bars(uel, u.names, u.counts, {max: null, axisFormat: "{value}", labelFormat: "{c}"});
  }
  window.addEventListener("resize", function () { charts.forEach(function (ch) { ch.resize(); }); });
})();
