// Menus and popovers drawn as <details>: the account menu in the page header, a force's ideas. A click
// outside an open one, or Escape, closes it, as people expect of a menu. Without JavaScript the summary
// toggles it.
const POPOVERS = "details.account-menu[open], details.ideas[open]";

document.addEventListener("click", (event) => {
  for (const popover of document.querySelectorAll(POPOVERS)) {
    if (!popover.contains(event.target)) popover.open = false;
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const popover of document.querySelectorAll(POPOVERS)) {
    const hadFocus = popover.contains(document.activeElement);
    popover.open = false;
    if (hadFocus) popover.querySelector("summary").focus();
  }
});
