// The Net2Vis view: shows the SVG that Python drew and makes it interactive.
// It never lays out or draws glyphs: it finds them through the SVG contract
// (.n2v-layer[data-id], .n2v-legend-item[data-key]) and sends actions to Python.

const ZOOM_STEP = 1.2;
const DRAG_THRESHOLD = 3;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label, title, onClick) {
  const node = element("button", "n2v-button", label);
  node.type = "button";
  node.title = title;
  node.addEventListener("click", onClick);
  return node;
}

// Parse the figure without running anything it might contain.
function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg" || doc.getElementsByTagName("parsererror").length) {
    throw new Error("the figure is not a valid SVG document");
  }
  svg.querySelectorAll("script, foreignObject").forEach((node) => node.remove());
  for (const node of [svg, ...svg.querySelectorAll("*")]) {
    for (const attribute of [...node.attributes]) {
      if (/^on/i.test(attribute.name) || /href$/i.test(attribute.name)) {
        node.removeAttribute(attribute.name);
      }
    }
  }
  return document.importNode(svg, true);
}

function formatShape(shape) {
  return "(" + shape.map((d) => (d === null ? "?" : d)).join(", ") + ")";
}

function tooltipText(facts) {
  const lines = [`${facts.name}  ·  ${facts.type}`];
  if (facts.members) lines.push(`${facts.members} layers` + (facts.repeats > 1 ? ` in ${facts.repeats} repeats` : ""));
  lines.push(`in: ${facts.inputs.map(formatShape).join(" ")}`);
  lines.push(`out: ${facts.outputs.map(formatShape).join(" ")}`);
  lines.push(`parameters: ${facts.params.toLocaleString("en-US")}`);
  for (const [key, value] of Object.entries(facts.config)) {
    lines.push(`${key}: ${Array.isArray(value) ? value.join("×") : value}`);
  }
  return lines.join("\n");
}

function render({ model, el }) {
  const root = element("div", "n2v-widget");
  const toolbar = element("div", "n2v-toolbar");
  const message = element("div", "n2v-message");
  message.setAttribute("role", "alert");
  const viewport = element("div", "n2v-viewport");
  const canvas = element("div", "n2v-canvas");
  const muted = element("div", "n2v-muted");
  const preferencesPanel = element("div", "n2v-panel n2v-preferences");
  const editor = element("div", "n2v-panel n2v-editor");
  const tooltip = element("div", "n2v-tooltip");
  preferencesPanel.hidden = editor.hidden = tooltip.hidden = true;
  viewport.append(canvas, tooltip);
  root.append(toolbar, message, viewport, muted, preferencesPanel, editor);
  el.append(root);

  let view = { x: 0, y: 0, k: 1 };
  let userMoved = false; // once the user pans or zooms, new figures keep their view
  let sentAt = null;
  const send = (content) => {
    sentAt = performance.now();
    model.send(content);
  };

  // --- toolbar ---------------------------------------------------------------------------
  const selectedAggregate = () => {
    const layers = model.get("layers");
    const ids = model.get("selection").filter((id) => layers[id] && layers[id].members);
    return ids.length === 1 ? layers[ids[0]].type : null;
  };
  const ungroupButton = button("Ungroup", "Expand the selected aggregate everywhere and delete it", () => {
    const name = selectedAggregate();
    if (name) send({ action: "ungroup", name });
  });
  toolbar.append(
    button("Auto-group", "Fold repeated layer sequences and blocks into aggregates", () =>
      send({ action: "auto_group" })),
    button("Group selection", "Group the selected layers (click one, shift-click another)", () =>
      send({ action: "group", layers: model.get("selection") })),
    ungroupButton,
    button("Preferences", "Show or hide the preferences", () => {
      preferencesPanel.hidden = !preferencesPanel.hidden;
    }),
    button("Download SVG", "Download the figure as drawn", () => send({ action: "download" })),
    button("Reset view", "Fit the figure into the view", () => {
      userMoved = false;
      fit();
    }),
  );

  // --- the figure ------------------------------------------------------------------------
  function applyView() {
    canvas.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.k})`;
  }

  function fit() {
    const svg = canvas.querySelector("svg");
    if (!svg) return;
    const width = svg.viewBox.baseVal.width || 800;
    const height = svg.viewBox.baseVal.height || 400;
    const available = viewport.clientWidth || width;
    const k = Math.min(1, available / width);
    viewport.style.height = `${Math.min(640, Math.max(160, height * k + 16))}px`;
    const tall = height * k + 16 > 640 ? Math.min(k, 624 / height) : k; // fit tall figures too
    view = { x: (available - width * tall) / 2, y: 8, k: tall };
    viewport.scrollTop = viewport.scrollLeft = 0;
    applyView();
  }

  function showSvg() {
    let svg;
    try {
      svg = parseSvg(model.get("svg"));
    } catch (error) {
      message.textContent = `Cannot show the figure: ${error.message}`;
      return;
    }
    const { width, height } = svg.viewBox.baseVal; // one pixel per unit: the view zooms itself
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    canvas.replaceChildren(svg);
    highlightSelection();
    if (!userMoved) requestAnimationFrame(fit);
    if (sentAt !== null) {
      root.dataset.renderMs = (performance.now() - sentAt).toFixed(1);
      sentAt = null;
    }
    root.dataset.renders = String(Number(root.dataset.renders || 0) + 1);
  }

  function highlightSelection() {
    const selected = new Set(model.get("selection"));
    canvas.querySelectorAll(".n2v-layer").forEach((glyph) => {
      glyph.classList.toggle("n2v-selected", selected.has(glyph.dataset.id));
    });
    ungroupButton.disabled = selectedAggregate() === null;
  }

  function showError() {
    message.textContent = model.get("error");
    message.hidden = !model.get("error");
  }

  // --- legend: the SVG's entries toggle, hidden/inactive ones are listed greyed ----------
  function entry(key) {
    return model.get("legend").find((item) => item.key === key);
  }

  function toggle(item) {
    if (item.kind === "aggregate") send({ action: "set_active", name: item.key, active: !item.active });
    else send({ action: item.active ? "hide" : "show", type: item.key });
  }

  function showMuted() {
    const inactive = model.get("legend").filter((item) => !item.active);
    muted.replaceChildren(...inactive.map((item) => {
      const chip = button(item.alias, item.kind === "aggregate"
        ? "Inactive aggregate: click to fold it again" : "Hidden layer type: click to show it", () => toggle(item));
      chip.classList.add("n2v-chip");
      chip.dataset.key = item.key;
      chip.prepend(element("span", "n2v-swatch"));
      return chip;
    }));
    muted.hidden = inactive.length === 0;
  }

  function openEditor(item) {
    const alias = element("input", "n2v-alias");
    alias.value = item.alias;
    const color = element("input", "n2v-color");
    color.type = "color";
    color.value = item.color.toLowerCase();
    const apply = button("Apply", "Rename and recolour this entry", () => {
      send({ action: "update", aliases: { [item.key]: alias.value }, colors: { [item.key]: color.value } });
      editor.hidden = true;
    });
    const close = button("Close", "Close the editor", () => { editor.hidden = true; });
    const rows = [element("strong", "", item.key), alias, color, apply];
    if (item.kind === "aggregate") {
      rows.push(button("Ungroup", "Delete this aggregate", () => {
        send({ action: "ungroup", name: item.key });
        editor.hidden = true;
      }));
    }
    editor.replaceChildren(...rows, close);
    editor.hidden = false;
  }

  // --- preferences -----------------------------------------------------------------------
  function showPreferences() {
    const preferences = model.get("preferences");
    const choices = model.get("choices");
    const fields = Object.entries(preferences).map(([name, value]) => {
      const label = element("label", "n2v-preference");
      label.append(element("span", "", name.replaceAll("_", " ")));
      let input;
      if (choices[name]) { // any JSON values: channels_first is null (auto), true or false
        input = element("select");
        for (const choice of choices[name]) {
          const option = element("option", "", choice === null ? "auto" : String(choice));
          option.value = JSON.stringify(choice);
          input.append(option);
        }
        input.value = JSON.stringify(value);
      } else {
        input = element("input");
        input.type = typeof value === "boolean" ? "checkbox" : "number";
        if (typeof value === "boolean") input.checked = value;
        else input.value = value;
      }
      input.name = name;
      input.addEventListener("change", () => {
        const read = input.type === "checkbox" ? input.checked
          : input.type === "number" ? Number(input.value) : JSON.parse(input.value);
        send({ action: "update", preferences: { [name]: read } });
      });
      label.append(input);
      return label;
    });
    preferencesPanel.replaceChildren(...fields);
  }

  // --- events, delegated on the root so they survive every re-render ---------------------
  let drag = null;
  const onPointerDown = (event) => {
    if (event.button !== 0) return;
    drag = { x: event.clientX, y: event.clientY, view: { ...view }, moved: false };
  };
  const onPointerMove = (event) => {
    const glyph = event.target.closest && event.target.closest(".n2v-layer");
    if (glyph && !drag) {
      const facts = model.get("layers")[glyph.dataset.id];
      if (facts) {
        tooltip.textContent = tooltipText(facts);
        tooltip.hidden = false;
        const box = viewport.getBoundingClientRect();
        const x = event.clientX - box.left + 12;
        const y = event.clientY - box.top + 12;
        // keep the tooltip inside the view: flip it left of / above the pointer when needed
        tooltip.style.left = `${x + tooltip.offsetWidth > box.width ? Math.max(0, x - tooltip.offsetWidth - 24) : x}px`;
        tooltip.style.top = `${y + tooltip.offsetHeight > box.height ? Math.max(0, y - tooltip.offsetHeight - 24) : y}px`;
      }
    } else {
      tooltip.hidden = true;
    }
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > DRAG_THRESHOLD) drag.moved = true;
    if (drag.moved) {
      userMoved = true;
      view = { ...drag.view, x: drag.view.x + dx, y: drag.view.y + dy };
      applyView();
    }
  };
  const onPointerUp = () => {
    setTimeout(() => { drag = null; }, 0);
  };
  const onWheel = (event) => {
    event.preventDefault();
    const box = viewport.getBoundingClientRect();
    const factor = event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP;
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    userMoved = true;
    view = { k: view.k * factor, x: px - (px - view.x) * factor, y: py - (py - view.y) * factor };
    applyView();
  };
  const onClick = (event) => {
    if (drag && drag.moved) return;
    const glyph = event.target.closest(".n2v-layer");
    const item = event.target.closest(".n2v-legend-item");
    if (glyph) {
      const selection = model.get("selection");
      const id = glyph.dataset.id;
      const layers = event.shiftKey && selection.length ? [selection[0], id] : [id];
      send({ action: "select", layers });
    } else if (item && entry(item.dataset.key)) {
      toggle(entry(item.dataset.key));
    }
  };
  const onContextMenu = (event) => {
    const item = event.target.closest(".n2v-legend-item");
    if (item && entry(item.dataset.key)) {
      event.preventDefault();
      openEditor(entry(item.dataset.key));
    }
  };
  viewport.addEventListener("pointerdown", onPointerDown);
  viewport.addEventListener("pointermove", onPointerMove);
  viewport.addEventListener("pointerleave", () => { tooltip.hidden = true; });
  window.addEventListener("pointerup", onPointerUp);
  viewport.addEventListener("wheel", onWheel, { passive: false });
  viewport.addEventListener("click", onClick);
  viewport.addEventListener("contextmenu", onContextMenu);

  const onMessage = (content) => {
    if (content.kind !== "download") return;
    const url = URL.createObjectURL(new Blob([content.svg], { type: "image/svg+xml" }));
    const link = element("a");
    link.href = url;
    link.download = content.filename;
    root.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  model.on("change:svg", showSvg);
  model.on("change:selection", highlightSelection);
  model.on("change:error", showError);
  model.on("change:legend", showMuted);
  model.on("change:preferences", showPreferences);
  model.on("msg:custom", onMessage);
  showSvg();
  showError();
  showMuted();
  showPreferences();

  return () => {
    window.removeEventListener("pointerup", onPointerUp);
  };
}

export default { render };
