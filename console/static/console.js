// The console's own few behaviours, in a file (not inline): its Content-Security-Policy
// allows only its own scripts.
document.addEventListener("click", (event) => {
  // The announcement form's presets: a click fills each language's message (then editable).
  const preset = event.target.closest("button.preset");
  if (preset) {
    for (const [lang, text] of Object.entries(JSON.parse(preset.dataset.texts))) {
      const input = document.getElementById("text_" + lang);
      if (input) input.value = text;
    }
  }
  // A button that removes something asks first (the settings' Remove).
  const risky = event.target.closest("button[data-confirm]");
  if (risky && !window.confirm(risky.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  // A panel's close button empties the panel it names.
  const close = event.target.closest("button[data-close]");
  if (close) document.getElementById(close.dataset.close).innerHTML = "";
});
