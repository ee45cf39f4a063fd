// The language picker in the page header: send the form as soon as a language is chosen.
// Without JavaScript the form's own button does it.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.language-picker")) {
    const select = form.querySelector("select");
    form.classList.add("submits-on-change");
    select.addEventListener("change", () => form.requestSubmit());
  }
});
