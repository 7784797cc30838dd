// Tangent's channel explorer: the recorded kernels of a run, re-partitioned live.
// Data: the JSON in <script id="tx-data">, written by Tangent.Reports.ChannelExplorer. Charts: plotly.js (inlined).
// The partition is SpectralPartition's: channel = { i : λ_i ≥ τ·max(λ_1, 0) and λ_i > 0 }; a share is
// Σ_channel e_i / Σ_i e_i with e_i the energy along eigenvector i (0 when everything is 0).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("tx-data").textContent);
  const $ = (id) => document.getElementById(id);
  const blue = "#1f77b4", orange = "#ff7f0e", grey = "#7f7f7f", green = "#2ca02c";
  const state = { series: 0, k: 0, tau: data.threshold };

  function channelSize(lambda, tau) {
    const max = Math.max(lambda.length ? lambda[0] : 0, 0);
    const threshold = tau * max;
    let count = 0;
    for (const x of lambda) if (x >= threshold && x > 0) count++;
    return { size: count, threshold: threshold };
  }

  // Non-finite values (written as "NaN" strings by the report) make the share NaN, never a concatenated string.
  function share(energy, from, to) {
    let total = 0, part = 0;
    for (let i = 0; i < energy.length; i++) {
      const e = Number(energy[i]);
      total += e;
      if (i >= from && i < to) part += e;
    }
    return total === 0 ? 0 : part / total;
  }

  function fmt(x) {
    if (!isFinite(x)) return String(x);
    return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(6) : x.toExponential(5);
  }

  function pct(x) { return (100 * x).toFixed(3) + " %"; }

  function setReadout(id, value, text) {
    const el = $(id);
    el.dataset.value = String(value);
    el.textContent = text;
  }

  function split(values, size) {
    const idx = values.map((_, i) => i + 1);
    return {
      channel: { x: idx.slice(0, size), y: values.slice(0, size) },
      reservoir: { x: idx.slice(size), y: values.slice(size) },
    };
  }

  const layoutBase = (title, ytitle, logy) => ({
    title: { text: title, font: { size: 15 } },
    margin: { l: 70, r: 20, t: 40, b: 50 },
    xaxis: { title: { text: "eigen-direction i (by decreasing λ)" } },
    yaxis: { title: { text: ytitle }, type: logy ? "log" : "linear", exponentformat: "power" },
    legend: { orientation: "h", x: 0, y: -0.22 },
    hovermode: "closest",
    uirevision: "tangent", // a zoom survives slider moves
  });
  const config = { responsive: true, displaylogo: false };

  function positive(values) { return values.map((v) => (v > 0 ? v : null)); }

  function drawSpectrum(s, k, part) {
    const lambda = s.eigenvalues[k];
    const parts = split(positive(lambda), part.size);
    const hover = "i = %{x}<br>λ = %{y:.8g}<extra>%{fullData.name}</extra>";
    const traces = [
      { x: parts.channel.x, y: parts.channel.y, name: "channel", mode: "markers", marker: { color: blue, size: 6 },
        hovertemplate: hover },
      { x: parts.reservoir.x, y: parts.reservoir.y, name: "reservoir", mode: "markers",
        marker: { color: orange, size: 6 }, hovertemplate: hover },
      { x: [1, lambda.length], y: [part.threshold, part.threshold], name: "threshold τ·λ_max", mode: "lines",
        line: { color: grey, dash: "dash" }, hovertemplate: "τ·λ_max = %{y:.8g}<extra></extra>" },
    ];
    Plotly.react("tx-spectrum", traces, layoutBase(`Spectrum of ${s.operator} at step ${s.steps[k]}`,
      "eigenvalue λ_i", true), config);
  }

  function drawProjections(s, k, part) {
    const traces = [];
    const normalize = (e) => {
      const t = e.reduce((a, b) => a + b, 0);
      return e.map((v) => (t > 0 && v > 0 ? v / t : null));
    };
    const idx = s.residual[k].map((_, i) => i + 1);
    traces.push({ x: idx, y: normalize(s.residual[k]), name: "output gradient g (residual)", mode: "markers",
      marker: { color: blue, size: 6 }, hovertemplate: "i = %{x}<br>share of ‖g‖² = %{y:.6g}<extra></extra>" });
    if (s.noise) traces.push({ x: idx, y: normalize(s.noise[k]), name: "label noise ε", mode: "markers",
      marker: { color: orange, size: 6, symbol: "diamond" },
      hovertemplate: "i = %{x}<br>share of ‖ε‖² = %{y:.6g}<extra></extra>" });
    const layout = layoutBase(`Residual and label noise along the eigenvectors, step ${s.steps[k]}`,
      "share of the squared norm", true);
    layout.shapes = [{ type: "rect", xref: "x", yref: "paper", x0: 0.5, x1: part.size + 0.5, y0: 0, y1: 1,
      fillcolor: blue, opacity: 0.08, line: { width: 0 } }];
    layout.annotations = [{ xref: "x", yref: "paper", x: 0.5, y: 1, xanchor: "left", yanchor: "bottom",
      text: `channel (${part.size})`, showarrow: false, font: { color: blue } }];
    Plotly.react("tx-projections", traces, layout, config);
  }

  function drawTransfer(s, k, part) {
    if (!s.transfer) { $("tx-transfer").style.display = "none"; return; }
    $("tx-transfer").style.display = "";
    const parts = split(s.transfer[k], part.size);
    const hover = "i = %{x}<br>‖K_QS v_i‖ = %{y:.8g}<extra>%{fullData.name}</extra>";
    Plotly.react("tx-transfer", [
      { x: parts.channel.x, y: positive(parts.channel.y), name: "channel", mode: "markers",
        marker: { color: blue, size: 6 }, hovertemplate: hover },
      { x: parts.reservoir.x, y: positive(parts.reservoir.y), name: "reservoir", mode: "markers",
        marker: { color: orange, size: 6 }, hovertemplate: hover },
    ], layoutBase(`Transfer spectrum ‖K_QS v_i‖ at step ${s.steps[k]}: what reaches the test outputs`,
      "‖K_QS v_i‖", true), config);
  }

  function drawShares(s) {
    const res = [], noise = [], dims = [];
    for (let k = 0; k < s.steps.length; k++) {
      const part = channelSize(s.eigenvalues[k], state.tau);
      dims.push(part.size);
      res.push(share(s.residual[k], 0, part.size));
      if (s.noise) noise.push(share(s.noise[k], part.size, s.eigenvalues[k].length));
    }
    const x = s.steps.map((t) => t + 1);
    const traces = [{ x: x, y: res, name: "residual in the channel", mode: "lines+markers", line: { color: blue },
      hovertemplate: "step %{customdata}<br>%{y:.6%}<extra>residual in channel</extra>", customdata: s.steps }];
    if (s.noise) traces.push({ x: x, y: noise, name: "label noise in the reservoir", mode: "lines+markers",
      line: { color: orange }, customdata: s.steps,
      hovertemplate: "step %{customdata}<br>%{y:.6%}<extra>noise in reservoir</extra>" });
    traces.push({ x: x, y: dims, name: "channel dimension (right axis)", yaxis: "y2", mode: "lines",
      line: { color: green, dash: "dot" }, customdata: s.steps,
      hovertemplate: "step %{customdata}<br>%{y} directions<extra>channel dimension</extra>" });
    const layout = {
      title: { text: `Shares at τ = ${fmt(state.tau)} over training`, font: { size: 15 } },
      margin: { l: 70, r: 70, t: 40, b: 50 },
      xaxis: { title: { text: "step + 1" }, type: "log", exponentformat: "power" },
      yaxis: { title: { text: "share of the squared norm" }, range: [0, 1.02], tickformat: ".0%" },
      yaxis2: { title: { text: "channel dimension" }, overlaying: "y", side: "right", rangemode: "tozero" },
      legend: { orientation: "h", x: 0, y: -0.22 },
      uirevision: "tangent",
      shapes: [{ type: "line", xref: "x", yref: "paper", x0: s.steps[state.k] + 1, x1: s.steps[state.k] + 1,
        y0: 0, y1: 1, line: { color: grey, dash: "dash" } }],
      hovermode: "closest",
    };
    Plotly.react("tx-shares", traces, layout, config);
  }

  function update() {
    const s = data.series[state.series];
    const k = state.k;
    const lambda = s.eigenvalues[k];
    const part = channelSize(lambda, state.tau);
    setReadout("tx-step", s.steps[k], String(s.steps[k]));
    setReadout("tx-dim", part.size, `${part.size} of ${lambda.length}`);
    setReadout("tx-threshold-abs", part.threshold, fmt(part.threshold));
    const res = share(s.residual[k], 0, part.size);
    setReadout("tx-res-share", res, pct(res));
    if (s.noise) {
      const noise = share(s.noise[k], part.size, lambda.length);
      setReadout("tx-noise-share", noise, pct(noise));
    } else setReadout("tx-noise-share", "", "no label noise injected");
    drawSpectrum(s, k, part);
    drawProjections(s, k, part);
    drawTransfer(s, k, part);
    drawShares(s);
    document.body.dataset.explorerReady = "true";
  }

  function setTau(tau, fromSlider) {
    if (!(tau > 0) || !isFinite(tau)) return;
    state.tau = tau;
    if (fromSlider) $("tx-tau").value = String(tau);
    else $("tx-tau-slider").value = String(Math.log10(tau));
    update();
  }

  function setSeries(i) {
    state.series = i;
    const s = data.series[i];
    const time = $("tx-time");
    time.max = String(s.steps.length - 1);
    state.k = s.steps.length - 1;
    time.value = String(state.k);
    update();
  }

  // Linked zoom: the three per-direction charts share the index axis i.
  let linking = false;
  function link(source, targets) {
    $(source).on("plotly_relayout", (ev) => {
      if (linking) return;
      const range = ev["xaxis.range[0]"] !== undefined ? [ev["xaxis.range[0]"], ev["xaxis.range[1]"]]
        : ev["xaxis.range"] ? ev["xaxis.range"] : null;
      const auto = ev["xaxis.autorange"];
      if (!range && !auto) return;
      linking = true;
      const update = range ? { "xaxis.range": range } : { "xaxis.autorange": true };
      Promise.all(targets.filter((t) => $(t).style.display !== "none").map((t) => Plotly.relayout(t, update)))
        .finally(() => { linking = false; });
    });
  }

  const select = $("tx-series");
  data.series.forEach((s, i) => {
    const o = document.createElement("option");
    o.value = String(i);
    o.textContent = s.name;
    select.appendChild(o);
  });
  if (data.series.length < 2) $("tx-series-row").style.display = "none";
  select.addEventListener("change", () => setSeries(Number(select.value)));
  $("tx-time").addEventListener("input", () => { state.k = Number($("tx-time").value); update(); });
  $("tx-tau-slider").addEventListener("input", () => setTau(Math.pow(10, Number($("tx-tau-slider").value)), true));
  $("tx-tau").addEventListener("change", () => setTau(Number($("tx-tau").value), false));
  $("tx-tau").value = String(state.tau);
  $("tx-tau-slider").value = String(Math.log10(state.tau));
  setSeries(0);
  const charts = ["tx-spectrum", "tx-projections", "tx-transfer"];
  charts.forEach((c) => link(c, charts.filter((t) => t !== c)));
})();
