// The segment list of the coding workbench (an anywidget front end).
//
// One row per segment (trait "options": [[label, value], ...]); the label's
// first part (up to the first " · ") is the segment id, shown in bold; the
// whole label is shown over up to three lines, and on hover in full. A click
// or the arrow keys set the trait "value" (a segment id).

function render({ model, el }) {
  el.classList.add("ebm-segment-list-live");
  el.tabIndex = 0;
  el.setAttribute("role", "listbox");
  el.setAttribute("data-lm-suppress-shortcuts", "true");

  const choose = (value) => {
    if (value !== model.get("value")) {
      model.set("value", value);
      model.save_changes();
    }
  };
  const mark = () => {
    const chosen = model.get("value");
    for (const row of el.children) {
      const on = row.dataset.value === chosen;
      row.classList.toggle("ebm-segment-row-selected", on);
      row.setAttribute("aria-selected", on ? "true" : "false");
      if (on) row.scrollIntoView({ block: "nearest" });
    }
  };
  const draw = () => {
    el.replaceChildren();
    for (const [label, value] of model.get("options")) {
      const row = document.createElement("div");
      row.className = "ebm-segment-row";
      row.setAttribute("role", "option");
      row.dataset.value = value;
      row.title = label;
      const cut = label.indexOf(" · ");
      const head = document.createElement("b");
      head.textContent = cut < 0 ? label : label.slice(0, cut);
      row.append(head, document.createTextNode(cut < 0 ? "" : label.slice(cut)));
      row.addEventListener("click", () => choose(value));
      el.append(row);
    }
    mark();
  };
  const onKeyDown = (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    event.stopPropagation();
    const values = model.get("options").map((o) => o[1]);
    const at = values.indexOf(model.get("value"));
    const next = event.key === "ArrowDown" ? Math.min(at + 1, values.length - 1) : Math.max(at - 1, 0);
    if (values.length) choose(values[next]);
  };

  draw();
  model.on("change:options", draw);
  model.on("change:value", mark);
  el.addEventListener("keydown", onKeyDown);
  return () => {
    model.off("change:options", draw);
    model.off("change:value", mark);
    el.removeEventListener("keydown", onKeyDown);
  };
}

export default { render };
