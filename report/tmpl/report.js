// cityimpact report charts: draws every [data-chart] container from the
// JSON in #ci-data with the inlined Apache ECharts. No network access.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('ci-data').textContent);
  var root = document.documentElement;
  var lang = root.getAttribute('data-lang') || 'zh';
  var FONT = getComputedStyle(document.body).fontFamily;
  var NAVY = '#1f3a5f', TEAL = '#2a7f8e', GOLD = '#b7862b', GREY = '#9aa5b1', RED = '#a23b2f';
  var PALETTE = [NAVY, TEAL, GOLD, '#7a5c99', RED, '#3b7d4f', '#5b6b7a', '#c06c84', '#4d8fc4', '#8c6d46'];

  function tx(t) { if (!t) return ''; return lang === 'en' ? (t.en || t.zh) : (t.zh || t.en); }
  function L(k) { return tx(D.labels[k]) || k; }
  var units = {}, nodes = {};
  D.units.forEach(function (u) { units[u.code] = u; });
  D.nodes.forEach(function (n) { nodes[n.code] = n; });
  function unitName(c) { return units[c] ? tx(units[c].name) : c; }
  function nodeName(c) { var n = nodes[c] || (c === 'goal' ? D.nodes[0] : null); return n ? tx(n.name) : c; }
  function fmt(v, d) { return v === null || v === undefined ? '—' : Number(v).toFixed(d); }
  function val(v) { return v === null || v === undefined ? '-' : v; }
  function dimOf(code) { // top-level dimension of a node
    var n = nodes[code];
    while (n && n.depth > 1 && n.parent >= 0) n = D.nodes[n.parent];
    return n ? n.code : code;
  }
  function base(extra) {
    var o = { animation: false, color: PALETTE, textStyle: { fontFamily: FONT, color: '#1d2733' },
      grid: { left: 56, right: 24, top: 40, bottom: 48, containLabel: true },
      tooltip: { trigger: 'item', confine: true } };
    for (var k in extra) o[k] = extra[k];
    return o;
  }
  function errorBars(color) { // custom series drawing [x, low, high] whiskers
    return function (params, api) {
      var x = api.value(0), lo = api.value(1), hi = api.value(2);
      if (isNaN(lo) || isNaN(hi)) return null;
      var a = api.coord([x, lo]), b = api.coord([x, hi]);
      var w = Math.max(2, Math.min(8, api.size([1, 0])[0] * 0.3));
      var st = { stroke: color, lineWidth: 1.2 };
      return { type: 'group', children: [
        { type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: st },
        { type: 'line', shape: { x1: a[0] - w, y1: a[1], x2: a[0] + w, y2: a[1] }, style: st },
        { type: 'line', shape: { x1: b[0] - w, y1: b[1], x2: b[0] + w, y2: b[1] }, style: st }] };
    };
  }
  function ranked() {
    return D.units.slice().sort(function (a, b) {
      if ((a.rank === null) !== (b.rank === null)) return a.rank === null ? 1 : -1;
      return (a.rank || 0) - (b.rank || 0);
    });
  }

  var build = {
    dist: function () {
      var us = ranked().filter(function (u) { return u.score !== null; });
      var groups = [['case', GOLD], ['treated_series', NAVY], ['never', GREY]];
      function group(u) { return u.case ? 'case' : (u.cohort ? 'treated_series' : 'never'); }
      return base({
        legend: { top: 0, data: groups.map(function (g) { return L(g[0]); }) },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: function (ps) {
          var u = us[ps[0].dataIndex];
          return unitName(u.code) + '<br>' + L('rank') + ' ' + fmt(u.rank, 0) + ' · ' + L('score') + ' ' + fmt(u.score, 3);
        } },
        xAxis: { type: 'category', data: us.map(function (u) { return unitName(u.code); }),
          axisLabel: { show: us.length <= 40, rotate: 60, fontSize: 10 }, axisTick: { show: false } },
        yAxis: { type: 'value', name: L('score') },
        series: groups.map(function (g) {
          return { type: 'bar', name: L(g[0]), barGap: '-100%', barCategoryGap: '20%', itemStyle: { color: g[1] },
            data: us.map(function (u) { return group(u) === g[0] ? u.score : '-'; }) };
        })
      });
    },
    map: function () {
      var vs = D.units.filter(function (u) { return u.score !== null; }).map(function (u) { return u.score; });
      var lo = Math.min.apply(null, vs), hi = Math.max.apply(null, vs);
      return base({
        tooltip: { trigger: 'item', formatter: function (p) {
          var u = units[p.name];
          return u ? unitName(u.code) + '<br>' + L('score') + ' ' + fmt(u.score, 3) + ' · ' + L('rank') + ' ' + fmt(u.rank, 0) : (p.data && p.data.label) || '';
        } },
        visualMap: { type: 'continuous', min: lo, max: hi, left: 8, bottom: 12, itemHeight: 120, calculable: false,
          text: [fmt(hi, 3), fmt(lo, 3)], inRange: { color: ['#e3ecf4', '#7ea6c7', NAVY] }, textStyle: { fontSize: 11 } },
        series: [{ type: 'map', map: 'cityimpact', nameProperty: 'key', roam: false, selectedMode: false,
          aspectScale: 0.8, layoutCenter: ['52%', '50%'], layoutSize: '118%',
          label: { show: false }, emphasis: { label: { show: false }, itemStyle: { areaColor: GOLD } },
          itemStyle: { areaColor: '#eceff2', borderColor: '#ffffff', borderWidth: 0.4 },
          data: D.units.map(function (u) { return { name: u.code, value: val(u.score) }; }) }]
      });
    },
    radar: function (i) {
      var r = D.radars[i], m = 0;
      if (r.dims.length < 3) return build.dimbars(r); // a radar needs three axes
      D.radars.forEach(function (x) { x.dims.forEach(function (g) { m = Math.max(m, g.value || 0, g.median || 0); }); });
      m = m <= 1 ? 1 : Math.ceil(m / 10) * 10;
      return base({
        legend: { bottom: 0 },
        radar: { radius: '62%', center: ['50%', '48%'], splitNumber: 4,
          indicator: r.dims.map(function (g) { return { name: nodeName(g.code), max: m }; }),
          axisName: { color: '#34414e', fontSize: 11 }, splitArea: { areaStyle: { color: ['#fff', '#f6f8fa'] } } },
        series: [{ type: 'radar', symbolSize: 4, data: [
          { name: unitName(r.unit), value: r.dims.map(function (g) { return val(g.value); }), lineStyle: { color: NAVY, width: 2 }, itemStyle: { color: NAVY }, areaStyle: { color: 'rgba(31,58,95,0.15)' } },
          { name: L('peer_median'), value: r.dims.map(function (g) { return val(g.median); }), lineStyle: { color: GOLD, type: 'dashed' }, itemStyle: { color: GOLD } }] }]
      });
    },
    dimbars: function (r) { // the radar's content as grouped bars
      return base({
        legend: { bottom: 0 },
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmt(v, 3); } },
        grid: { left: 16, right: 16, top: 24, bottom: 36, containLabel: true },
        xAxis: { type: 'category', data: r.dims.map(function (g) { return nodeName(g.code); }) },
        yAxis: { type: 'value' },
        series: [
          { type: 'bar', name: unitName(r.unit), itemStyle: { color: NAVY }, data: r.dims.map(function (g) { return val(g.value); }) },
          { type: 'bar', name: L('peer_median'), itemStyle: { color: GOLD }, data: r.dims.map(function (g) { return val(g.median); }) }]
      });
    },
    trends: function () {
      var k = 0;
      return base({
        legend: { top: 0, type: 'scroll' },
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmt(v, 3); } },
        xAxis: { type: 'category', data: D.periods, boundaryGap: false },
        yAxis: { type: 'value', scale: true, name: nodeName(D.trend_outcome) },
        series: D.trends.map(function (t) {
          var s = { type: 'line', name: tx(t.label) + ' (' + t.units + ')', data: t.mean.map(val), symbolSize: 5 };
          if (t.group === 'treated') s.lineStyle = { width: 3, color: NAVY }, s.itemStyle = { color: NAVY };
          else if (t.group === 'comparison') s.lineStyle = { width: 3, color: GREY, type: 'dashed' }, s.itemStyle = { color: GREY };
          else { var c = [TEAL, GOLD, '#7a5c99', '#3b7d4f', '#c06c84'][k++ % 5]; s.lineStyle = { width: 1.2, color: c }; s.itemStyle = { color: c }; }
          return s;
        })
      });
    },
    event: function (i) {
      var e = D.events[i];
      var pts = e.points.slice().sort(function (a, b) { return a.rel - b.rel; });
      var cats = pts.map(function (p) { return String(p.rel); });
      var ref = pts.findIndex(function (p) { return p.ref; });
      return base({
        grid: { left: 48, right: 16, top: 24, bottom: 40, containLabel: true },
        tooltip: { trigger: 'axis', formatter: function (ps) {
          var p = pts[ps[0].dataIndex];
          return L('rel') + ' ' + p.rel + '<br>' + L('estimate') + ' ' + fmt(p.estimate, 4) + '<br>' + L('ci') + ' [' + fmt(p.ci_low, 4) + ', ' + fmt(p.ci_high, 4) + ']';
        } },
        xAxis: { type: 'category', data: cats, name: L('rel'), nameLocation: 'middle', nameGap: 26 },
        yAxis: { type: 'value', scale: true },
        series: [
          { type: 'custom', name: L('ci'), renderItem: errorBars(TEAL), encode: { x: 0, y: [1, 2] },
            data: pts.map(function (p, j) { return [j, val(p.ci_low), val(p.ci_high)]; }), z: 1 },
          { type: 'line', name: L('estimate'), data: pts.map(function (p) { return val(p.estimate); }), symbol: 'circle', symbolSize: 7,
            lineStyle: { color: NAVY, width: 1 }, itemStyle: { color: NAVY }, z: 2,
            markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: '#8a96a3', type: 'dashed' },
              data: [{ yAxis: 0 }].concat(ref >= 0 ? [{ xAxis: ref }] : []) } }]
      });
    },
    placebo: function (i) {
      // Histogram of the permutation distribution (30 bins) with the
      // actual estimate marked.
      var pl = D.placebos[i], xs = pl.draws.filter(function (v) { return v !== null; });
      var lo = Math.min.apply(null, xs.concat([pl.estimate])), hi = Math.max.apply(null, xs.concat([pl.estimate]));
      var nb = 30, w = (hi - lo) / nb || 1, counts = [], cats = [];
      for (var b = 0; b < nb; b++) { counts.push(0); cats.push(fmt(lo + (b + 0.5) * w, 4)); }
      xs.forEach(function (v) { counts[Math.min(nb - 1, Math.floor((v - lo) / w))]++; });
      var at = Math.min(nb - 1, Math.floor((pl.estimate - lo) / w));
      return base({
        grid: { left: 16, right: 24, top: 28, bottom: 24, containLabel: true },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: cats, name: L('placebo_draws'), nameLocation: 'middle', nameGap: 26, axisLabel: { fontSize: 10 } },
        yAxis: { type: 'value', name: L('count') },
        series: [{ type: 'bar', data: counts, itemStyle: { color: '#9aa8b6' }, barCategoryGap: '5%',
          markLine: { silent: true, symbol: 'none', lineStyle: { color: GOLD, width: 2 },
            label: { position: 'insideEndTop', formatter: L('actual_estimate') + ' ' + fmt(pl.estimate, 4) }, data: [{ xAxis: at }] } }]
      });
    },
    weights: function () {
      var rows = D.weights.filter(function (w) { return nodes[w.code] && nodes[w.code].indicator; });
      var dims = [];
      rows.forEach(function (w) { var d = dimOf(w.code); if (dims.indexOf(d) < 0) dims.push(d); });
      return base({
        legend: { top: 0 },
        grid: { left: 16, right: 40, top: 36, bottom: 24, containLabel: true },
        tooltip: { trigger: 'item', formatter: function (p) {
          var w = rows[p.dataIndex];
          return nodeName(w.code) + '<br>' + L('weight_global') + ' ' + fmt(w.global, 4) + '<br>' + L('weight_local') + ' ' + fmt(w.local, 4);
        } },
        yAxis: { type: 'category', inverse: true, data: rows.map(function (w) { return nodeName(w.code); }), axisLabel: { fontSize: 11 } },
        xAxis: { type: 'value', name: L('weight_global') },
        series: dims.map(function (d) {
          return { type: 'bar', name: nodeName(d), barGap: '-100%', barCategoryGap: '30%',
            data: rows.map(function (w) { return dimOf(w.code) === d ? val(w.global) : '-'; }) };
        })
      });
    },
    uncert: function () {
      var u = D.uncertainty, idx = D.units.map(function (_, i) { return i; });
      idx.sort(function (a, b) { return (u.nominal[a] === null) - (u.nominal[b] === null) || u.nominal[a] - u.nominal[b]; });
      var names = idx.map(function (i) { return unitName(D.units[i].code); });
      return base({
        legend: { top: 0 },
        tooltip: { trigger: 'axis', formatter: function (ps) {
          var i = idx[ps[0].dataIndex];
          return names[ps[0].dataIndex] + '<br>' + L('nominal') + ' ' + fmt(u.nominal[i], 0) + '<br>' + L('median') + ' ' + fmt(u.median[i], 1) + '<br>5%–95%: ' + fmt(u.low[i], 0) + '–' + fmt(u.high[i], 0);
        } },
        xAxis: { type: 'category', data: names, axisLabel: { show: names.length <= 40, rotate: 60, fontSize: 10 } },
        yAxis: { type: 'value', inverse: true, name: L('rank'), nameLocation: 'start', min: 1, max: D.units.length },
        series: [
          { type: 'custom', name: L('rank_interval'), renderItem: errorBars(TEAL), encode: { x: 0, y: [1, 2] }, itemStyle: { color: TEAL },
            data: idx.map(function (i, j) { return [j, val(u.low[i]), val(u.high[i])]; }) },
          { type: 'scatter', name: L('median'), symbolSize: 6, itemStyle: { color: NAVY }, data: idx.map(function (i) { return val(u.median[i]); }) },
          { type: 'scatter', name: L('nominal'), symbol: 'diamond', symbolSize: 7, itemStyle: { color: GOLD }, data: idx.map(function (i) { return val(u.nominal[i]); }) }]
      });
    },
    coupling: function () {
      var c = D.coupling, bands = [], band = lang === 'en' && c.band_en && c.band_en.length ? c.band_en : c.band;
      band.forEach(function (b) { if (bands.indexOf(b) < 0) bands.push(b); });
      return base({
        legend: { top: 0, type: 'scroll' },
        tooltip: { trigger: 'item', formatter: function (p) {
          var i = p.data[2];
          return unitName(D.units[i].code) + '<br>C ' + fmt(c.c[i], 3) + ' · T ' + fmt(c.t[i], 3) + ' · D ' + fmt(c.d[i], 3) + '<br>' + band[i];
        } },
        xAxis: { type: 'value', scale: true, name: L('coupling_t'), nameLocation: 'middle', nameGap: 28 },
        yAxis: { type: 'value', scale: true, name: L('coupling_d') },
        series: bands.map(function (b) {
          var data = [];
          band.forEach(function (x, i) { if (x === b && c.t[i] !== null && c.d[i] !== null) data.push([c.t[i], c.d[i], i]); });
          return { type: 'scatter', name: b, symbolSize: 8, data: data };
        })
      });
    }
  };

  if (D.map) echarts.registerMap('cityimpact', D.map);
  var charts = [];
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    if (el.getAttribute('data-chart') === 'weights') {
      var n = D.weights.filter(function (w) { return nodes[w.code] && nodes[w.code].indicator; }).length;
      el.style.height = Math.max(260, 60 + 22 * n) + 'px';
    }
    charts.push({ el: el, chart: echarts.init(el, null, { renderer: 'svg' }) });
  });
  function draw() {
    charts.forEach(function (c) {
      c.chart.setOption(build[c.el.getAttribute('data-chart')](+(c.el.getAttribute('data-index') || 0)), true);
      c.el.setAttribute('data-drawn', '1');
    });
  }
  draw();
  function resize() { // only charts whose box changed (a viewport height change moves none)
    charts.forEach(function (c) {
      var w = c.el.clientWidth, h = c.el.clientHeight;
      // A collapsed box (a 1-px window, as screenshot tools make for a
      // moment) keeps the last drawing: ECharts' map view cannot invert a
      // zero-size transform.
      if (w === 0 || h === 0) return;
      if (w !== c.chart.getWidth() || h !== c.chart.getHeight()) c.chart.resize();
    });
  }
  window.addEventListener('resize', resize);
  // Printing: beforeprint fires before the print styles apply, so the
  // charts are given their A4 sizes (report.css @media print, 96 px/in)
  // explicitly, and their screen sizes back afterwards.
  var MM = 96 / 25.4;
  function printSize(el) {
    if (el.closest('.grid2, .case-grid')) return { width: Math.round(88 * MM), height: Math.round(70 * MM) };
    if (el.classList.contains('map')) return { width: Math.round(180 * MM), height: Math.round(130 * MM) };
    return { width: Math.round(180 * MM), height: Math.round(95 * MM) };
  }
  window.addEventListener('beforeprint', function () { charts.forEach(function (c) { c.chart.resize(printSize(c.el)); }); });
  window.addEventListener('afterprint', function () { charts.forEach(function (c) { c.chart.resize({ width: 'auto', height: 'auto' }); }); });
  var pbtn = document.getElementById('print-toggle');
  if (pbtn) pbtn.addEventListener('click', function () { document.body.classList.toggle('print-brief'); });
  var btn = document.getElementById('lang-toggle');
  if (btn) btn.addEventListener('click', function () {
    lang = lang === 'zh' ? 'en' : 'zh';
    root.setAttribute('data-lang', lang);
    root.setAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
    draw();
  });
})();
