// Live progress of an ingest started from the web: polls its state once a second until it
// is over. Served by sohoa; no library.
(function () {
  const me = document.currentScript;
  const box = document.getElementById("job");
  if (!box) return;
  const id = box.dataset.job;
  function show(state) {
    document.getElementById("bar").max = Math.max(state.total, 1);
    document.getElementById("bar").value = state.done + state.failed.length;
    document.getElementById("done").textContent = state.done;
    document.getElementById("failed-count").textContent = state.failed.length;
    document.getElementById("waiting").textContent = state.waiting;
    document.getElementById("state").textContent = me.dataset[state.status] || state.status;
    const list = document.getElementById("failures");
    list.replaceChildren(...state.failed.map(function (f) {
      const li = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = f.file;
      li.append(name, ": " + (f.reason || ""));
      return li;
    }));
    document.getElementById("report").textContent = state.report;
    box.dataset.running = state.running ? "yes" : "no";
    box.dataset.status = state.status;
  }
  function poll() {
    fetch("/ingest/" + id + "/state", {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (state) { show(state); if (state.running) setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (box.dataset.running === "yes") setTimeout(poll, 1000);
})();
