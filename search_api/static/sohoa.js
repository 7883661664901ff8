// What every page may do with a script, served by sohoa (the pages allow no inline script):
// a "back" link goes back in the browser's history when there is one, else to its href.
document.addEventListener("click", function (event) {
  const link = event.target.closest("a[data-back]");
  if (link && history.length > 1) {
    event.preventDefault();
    history.back();
  }
});
