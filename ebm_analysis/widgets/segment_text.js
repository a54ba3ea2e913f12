// The segment view of the coding workbench (an anywidget front end).
//
// Shows the HTML the kernel sends (trait "value"), and tells the kernel:
//   {type: "select", start, end, text}  a mouse selection in the Swedish text
//                                       (.ebm-segment-text), ends in UTF-16 code
//                                       units from the start of that text; the
//                                       kernel converts them to Python offsets;
//   {type: "mark", codings: [...]}      a click on a highlight (no selection);
//   {type: "apply"}                     Enter or "a" pressed in the view.
// The coding chosen in the kernel (trait "selected") gets an outline.

function textRoot(el) {
  return el.querySelector(".ebm-segment-text");
}

// UTF-16 offset of the boundary point (node, offset) from the start of root, clipped to root.
function offsetIn(root, node, offset) {
  const whole = document.createRange();
  whole.selectNodeContents(root);
  const where = whole.comparePoint(node, offset);
  if (where < 0) return 0;
  if (where > 0) return whole.toString().length;
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(node, offset);
  return before.toString().length;
}

function selectionIn(root) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!range.intersectsNode(root)) return null;
  const start = offsetIn(root, range.startContainer, range.startOffset);
  const end = offsetIn(root, range.endContainer, range.endOffset);
  if (start === end) return null;
  return { start, end, text: root.textContent.slice(start, end) };
}

function render({ model, el }) {
  el.classList.add("ebm-segment-view-live");
  el.tabIndex = 0;
  // JupyterLab must not take our keys as notebook shortcuts ("a" inserts a cell).
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  el.title = "Drag across the Swedish text to choose the span; Enter or A applies the chosen code; " +
             "click a highlight to select its coding.";

  const outline = () => {
    const chosen = model.get("selected");
    for (const mark of el.querySelectorAll("mark.ebm-mark")) {
      const ids = (mark.dataset.codings || "").split(" ");
      mark.classList.toggle("ebm-mark-selected", Boolean(chosen) && ids.includes(chosen));
    }
  };
  const draw = () => {
    el.innerHTML = model.get("value");
    outline();
  };

  const onMouseUp = (event) => {
    // Let the browser finish the selection (a double-click selects a word) first.
    setTimeout(() => {
      const root = textRoot(el);
      if (!root) return;
      const picked = selectionIn(root);
      if (picked) {
        model.send({ type: "select", ...picked });
        return;
      }
      const mark = event.target.closest ? event.target.closest("mark.ebm-mark") : null;
      if (mark && el.contains(mark)) {
        model.send({ type: "mark", codings: (mark.dataset.codings || "").split(" ").filter(Boolean) });
      }
    }, 0);
  };
  const onKeyDown = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Enter" || event.key === "a" || event.key === "A") {
      event.preventDefault();
      event.stopPropagation();
      model.send({ type: "apply" });
    }
  };

  draw();
  model.on("change:value", draw);
  model.on("change:selected", outline);
  el.addEventListener("mouseup", onMouseUp);
  el.addEventListener("keydown", onKeyDown);
  return () => {
    model.off("change:value", draw);
    model.off("change:selected", outline);
    el.removeEventListener("mouseup", onMouseUp);
    el.removeEventListener("keydown", onKeyDown);
  };
}

export default { render };
