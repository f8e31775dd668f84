/** The training service's page (GET /): live training curves and controls, drawn from GET /status polled every second. */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sigprop training service</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 .5em; }
  table { border-collapse: collapse; margin: .5em 0 1em; }
  td { padding: 2px 12px 2px 0; }
  td:first-child { color: #666; }
  .charts { display: flex; gap: 24px; flex-wrap: wrap; }
  svg { border: 1px solid #ccc; background: #fff; }
  .train { fill: none; stroke: #1f77b4; stroke-width: 1.5; }
  .test { fill: none; stroke: #d62728; stroke-width: 1.5; }
  .axis { font-size: 11px; fill: #555; }
  #error { color: #b00; white-space: pre-wrap; }
  button { margin-right: .5em; }
  .state-failed { color: #b00; font-weight: bold; }
  .state-running { color: #080; }
</style>
</head>
<body>
<h1>sigprop training service</h1>
<table>
  <tr><td>trainer</td><td><span id="state">loading</span> (<span id="train-on"></span>)</td></tr>
  <tr><td>epoch</td><td id="epoch">-</td></tr>
  <tr><td>step</td><td id="step">-</td></tr>
  <tr><td>steps/s</td><td id="sps">-</td></tr>
  <tr><td>train loss / acc</td><td id="train-now">-</td></tr>
  <tr><td>test acc</td><td id="test-now">-</td></tr>
  <tr><td>weights for /predict</td><td id="weights">-</td></tr>
  <tr><td>last snapshot</td><td id="snapshot">-</td></tr>
  <tr><td>updates</td><td id="updates">0</td></tr>
</table>
<p>
  <button id="pause">pause</button><button id="resume">resume</button><button id="snap">snapshot</button><button id="restart">restart</button>
  <span id="reply"></span>
</p>
<div id="error"></div>
<div class="charts">
  <svg id="loss-chart" width="420" height="240" viewBox="0 0 420 240"><text class="axis" x="8" y="14">loss (train: blue, test: red)</text>
    <path id="loss-path" class="train" d=""></path><path id="test-loss-path" class="test" d=""></path>
    <text id="loss-max" class="axis" x="8" y="34"></text><text id="loss-min" class="axis" x="8" y="232"></text></svg>
  <svg id="acc-chart" width="420" height="240" viewBox="0 0 420 240"><text class="axis" x="8" y="14">accuracy (train: blue, test: red)</text>
    <path id="acc-path" class="train" d=""></path><path id="test-acc-path" class="test" d=""></path>
    <text class="axis" x="8" y="34">1</text><text class="axis" x="8" y="232">0</text></svg>
</div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const W = 420, H = 240, L = 30, R = 10, T = 24, B = 12;
function path(xs, ys, x0, x1, y0, y1) {
  let d = "";
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(ys[i])) continue;
    const px = L + (x1 > x0 ? (xs[i] - x0) / (x1 - x0) : 0) * (W - L - R);
    const py = H - B - (y1 > y0 ? (ys[i] - y0) / (y1 - y0) : 0) * (H - T - B);
    d += (d ? " L" : "M") + px.toFixed(1) + " " + py.toFixed(1);
  }
  return d;
}
function fmt(v, n) { return v === null || v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(n); }
let updates = 0;
function draw(s) {
  $("state").textContent = s.state;
  $("state").className = "state-" + s.state;
  $("train-on").textContent = s.trainOn === "worker" ? "in a Worker" : "on the main thread";
  $("epoch").textContent = (s.epoch + 1) + " / " + s.epochs;
  $("step").textContent = s.step + (s.stepsPerEpoch ? " (" + s.stepInEpoch + " / " + s.stepsPerEpoch + " this epoch)" : "");
  $("sps").textContent = fmt(s.stepsPerSecond, 1);
  $("train-now").textContent = fmt(s.loss, 4) + " / " + fmt(s.acc, 4);
  $("test-now").textContent = fmt(s.testAcc, 4);
  $("weights").textContent = s.weights ? "step " + s.weights.step : "none yet";
  $("snapshot").textContent = s.snapshot ? s.snapshot.path + " (step " + s.snapshot.step + ")" : "none";
  $("error").textContent = s.error ? "trainer error: " + s.error.message : "";
  const tr = s.history.train, te = s.history.test;
  const xs = tr.map((p) => p.step), tx = te.map((p) => p.step);
  const x0 = 0, x1 = Math.max(1, ...xs, ...tx);
  const losses = tr.map((p) => p.loss).concat(te.map((p) => p.loss)).filter(Number.isFinite);
  const l0 = losses.length ? Math.min(...losses) : 0, l1 = losses.length ? Math.max(...losses) : 1;
  $("loss-path").setAttribute("d", path(xs, tr.map((p) => p.loss), x0, x1, l0, l1));
  $("test-loss-path").setAttribute("d", path(tx, te.map((p) => p.loss), x0, x1, l0, l1));
  $("loss-max").textContent = fmt(l1, 3);
  $("loss-min").textContent = fmt(l0, 3);
  $("acc-path").setAttribute("d", path(xs, tr.map((p) => p.acc), x0, x1, 0, 1));
  $("test-acc-path").setAttribute("d", path(tx, te.map((p) => p.acc), x0, x1, 0, 1));
  $("updates").textContent = String(++updates);
}
async function poll() {
  try {
    const r = await fetch("/status", { cache: "no-store" });
    draw(await r.json());
  } catch (e) {
    $("error").textContent = "cannot reach the service: " + e.message;
  }
  setTimeout(poll, 1000);
}
for (const [id, url] of [["pause", "/pause"], ["resume", "/resume"], ["snap", "/snapshot"], ["restart", "/restart"]]) {
  $(id).addEventListener("click", async () => {
    const r = await fetch(url, { method: "POST" });
    const j = await r.json();
    $("reply").textContent = url + ": " + (j.error || JSON.stringify(j));
  });
}
poll();
</script>
</body>
</html>
`;
