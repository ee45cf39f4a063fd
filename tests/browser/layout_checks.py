"""What a page must not show cut off or out of place on a laptop, and on any screen no sideways scrolling:
the checks the accessibility walk (test_accessibility.py) runs on every workshop page, before it unfolds them.

On a 1366×768 laptop: the header on one line, no header cell, choice or one-line field too narrow for its
text, period names on one line, no sideways scrolling; the flywheel's stage names inside their ring
segments and its red badges explained; the same column widths in every team's forces table, and a force's
ideas in a popover with room to read them.
"""

from playwright.sync_api import Page, expect

LAPTOP = {"width": 1366, "height": 768}

# What a page shows cut off or out of place, as a list of plain sentences (empty: all is well).
CUT_OFF = """() => {
  const problems = [];
  const shown = (element) => element.offsetParent !== null && !element.closest('.example, details:not([open])');
  const header = document.querySelector('.site-header');
  const first = header.firstElementChild.getBoundingClientRect();
  for (const part of header.children) {
    const box = part.getBoundingClientRect();
    if (box.top >= first.bottom || box.bottom <= first.top) problems.push(`header on two lines at ${part.className}`);
  }
  if (header.scrollWidth > header.clientWidth) problems.push('header wider than the page');
  for (const cell of document.querySelectorAll('main th')) {
    if (shown(cell) && cell.scrollWidth > cell.clientWidth + 1) problems.push(`header cut: ${cell.textContent.trim()}`);
  }
  for (const select of document.querySelectorAll('main select')) {
    if (!shown(select) || !select.selectedOptions.length) continue;
    // The width the select takes when it may show its chosen text whole.
    const twin = select.cloneNode(false);
    twin.append(new Option(select.selectedOptions[0].text));
    twin.style.cssText = 'position: absolute; visibility: hidden; width: auto; min-width: 0; max-width: none';
    select.after(twin);
    const needed = twin.offsetWidth;
    twin.remove();
    if (needed > select.offsetWidth + 1) problems.push(`choice cut: ${select.selectedOptions[0].text}`);
  }
  for (const field of document.querySelectorAll('main input[type=text]')) {
    if (!shown(field) || !field.value) continue;
    if (field.scrollWidth > field.clientWidth + 1) problems.push(`field cut: ${field.value}`);
  }
  for (const period of document.querySelectorAll('.readings tbody th[scope=row]')) {
    const range = document.createRange();
    range.selectNodeContents(period);
    const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    if (lines.size > 1) problems.push(`period on two lines: ${period.textContent.trim()}`);
  }
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth) problems.push('page scrolls sideways');
  return problems;
}"""

# Each stage's name, as drawn (turned along the ring), against its segment: the label's box corners in the
# SVG's space must lie in the segment's fill and within the segment's own box.
LABELS_OUTSIDE_THE_RING = """() => {
  const problems = [];
  for (const stage of document.querySelectorAll('#panel-diagram g.stage')) {
    const label = stage.querySelector('.arc-label'), arc = stage.querySelector('.arc');
    const box = label.getBBox(), arcBox = arc.getBBox();
    const turn = label.transform.baseVal.consolidate();
    const matrix = turn ? turn.matrix : new DOMMatrix();
    const corners = [[box.x, box.y], [box.x + box.width, box.y], [box.x, box.y + box.height],
                     [box.x + box.width, box.y + box.height]];
    for (const [x, y] of corners) {
      const corner = new DOMPoint(x, y).matrixTransform(matrix);
      const inBox = corner.x >= arcBox.x && corner.x <= arcBox.x + arcBox.width
        && corner.y >= arcBox.y && corner.y <= arcBox.y + arcBox.height;
      if (!inBox || !arc.isPointInFill(corner)) problems.push(`${label.textContent} leaves its segment`);
    }
  }
  return [...new Set(problems)];
}"""

FORCES_COLUMN_WIDTHS = """() => [...document.querySelectorAll('table.forces')].map(
  (table) => [...table.querySelectorAll('thead th')].map((cell) => Math.round(cell.getBoundingClientRect().width)))"""

# How wide the page is: wider than the screen, it scrolls sideways.
PAGE_WIDTH = "document.documentElement.scrollWidth"


def check_the_diagram(page: Page) -> None:
    assert page.evaluate(LABELS_OUTSIDE_THE_RING) == []
    # The 2019 audit has open friction: the badges say what they count.
    expect(page.locator(".diagram-legend")).to_be_visible()
    badges = page.locator("#panel-diagram .friction-badge-group title")
    assert badges.count() >= 1
    for title in badges.all_text_contents():
        assert any(digit.isdigit() for digit in title) and len(title) > 5, title


def check_the_forces(page: Page) -> None:
    widths = page.evaluate(FORCES_COLUMN_WIDTHS)
    assert len(widths) == 3  # Marketing, Sales, Service
    assert all(columns == widths[0] for columns in widths), widths
    ideas = page.locator("details.ideas").nth(1)
    ideas.locator("summary").click()
    popover = ideas.locator(".ideas-list")
    expect(popover.locator(".idea-button").first).to_be_visible()
    box = popover.bounding_box()
    assert box["width"] >= 400, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], box
    tall = popover.evaluate(
        "list => [...list.querySelectorAll('.idea-button')].filter(b => b.scrollHeight > b.clientHeight + 1).length"
    )
    assert tall == 0
    page.keyboard.press("Escape")
    expect(ideas).not_to_have_attribute("open", "")
