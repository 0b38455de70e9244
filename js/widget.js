// The Net2Vis view: shows the SVG that Python drew and makes it interactive.
// It never lays out or draws glyphs: it finds them through the SVG contract
// (.n2v-layer[data-id], .n2v-legend-item[data-key]) and sends actions to Python.
//
// One module in sections, each a small factory with the interface `render` wires together:
// canvas (pan, zoom, fit), minimap, legend panel, search, tooltip, editor, preferences,
// toolbar. anywidget ships the view as one module, so the sections share this file.

const ZOOM_STEP = 1.2;
const DRAG_THRESHOLD = 3;
const READABLE = 0.5; // the least scale a fit goes to: smaller text cannot be read
const MAX_HEIGHT = 640; // px, of the view when it fits a figure
const MINIMAP_WIDTH = 180; // px, at most
const MINIMAP_SHARE = 0.4; // of the view's height, at most
const MAX_ZOOM = 8; // a few times the print size
const RESIZE_CORNER = 18; // px: the view's corner where dragging resizes it
const LEAST_ZOOM = 0.5; // of the scale that shows the whole figure
const NO_ANSWER_MS = 5000; // an action unanswered this long: the kernel is busy or gone
const SVG_NS = "http://www.w3.org/2000/svg";

// --- helpers -------------------------------------------------------------------------------
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
  return document.adoptNode(svg); // moved, not copied: a big figure has thousands of nodes
}

// A box Python wrote as "x y width height" (data-graph, data-box), or null.
function boxOf(text) {
  const [x, y, width, height] = (text || "").split(" ").map(Number);
  return Number.isFinite(height) ? { x, y, width, height } : null;
}

// Show `box` (SVG units) as the whole of `svg`, one pixel per unit.
function frameSvg(svg, box) {
  const view = [box.x, box.y, box.width, box.height];
  svg.setAttribute("viewBox", view.join(" "));
  svg.setAttribute("width", view[2]);
  svg.setAttribute("height", view[3]);
  const background = svg.querySelector(".n2v-background");
  if (background) ["x", "y", "width", "height"].forEach((a, i) => background.setAttribute(a, view[i]));
}

function formatShape(shape) {
  return "(" + shape.map((d) => (d === null ? "?" : d)).join(", ") + ")";
}

// --- tooltip: what one glyph shows ----------------------------------------------------------
function tooltipText(facts, alias, frameAlias) {
  const lines = [];
  if (facts.members) {
    const [first, last, total] = facts.occurrence;
    const which = first === last ? `${first}` : `${first}–${last}`;
    lines.push(`${alias} ${which} of ${total}`);
    lines.push(`${facts.members} layers` + (facts.repeats > 1 ? ` in ${facts.repeats} repeats` : ""));
  } else {
    lines.push(`${facts.name}  ·  ${facts.type}` + (alias !== facts.type ? ` (${alias})` : ""));
  }
  if (facts.frame) lines.push(`in ${frameAlias} ${facts.frame[1]} of ${facts.frame[2]} (opened)`);
  lines.push(`in: ${facts.inputs.map(formatShape).join(" ")}`);
  lines.push(`out: ${facts.outputs.map(formatShape).join(" ")}`);
  lines.push(`parameters: ${facts.params.toLocaleString("en-US")}`);
  for (const [key, value] of Object.entries(facts.config)) {
    lines.push(`${key}: ${Array.isArray(value) ? value.join("×") : value}`);
  }
  return lines.join("\n");
}

// --- canvas: the graph, panned and zoomed ----------------------------------------------------
// show(svg) puts a figure in; fit() scales it to the width at a readable size; zoom(factor,
// at) and center(box) move the view; onChange(listener) hears every move.
function makeCanvas(viewport, canvas) {
  let view = { x: 0, y: 0, k: 1 };
  let size = { width: 800, height: 400 };
  let userSized = false; // once the user resizes the view, fits keep its height
  let fitHeight = null; // the height the last fit gave the view
  const listeners = [];
  const apply = () => {
    canvas.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.k})`;
    listeners.forEach((listener) => listener(view, size));
  };
  return {
    get view() { return view; },
    get size() { return size; },
    onChange(listener) { listeners.push(listener); },
    resized() { // the view's box changed: by the user (its resize handle) or by a fit
      if (fitHeight !== null && Math.abs(viewport.offsetHeight - fitHeight) > 1) userSized = true;
      apply();
    },
    show(svg) {
      canvas.replaceChildren(svg);
      size = { width: svg.viewBox.baseVal.width || 800, height: svg.viewBox.baseVal.height || 400 };
    },
    fit(again = false) { // the whole figure, if it can be read so; else its start, readable
      if (again) userSized = false; // Reset: the height the figure wants, not the user's
      const available = viewport.clientWidth || size.width;
      const across = Math.min(1, available / size.width);
      if (!userSized && !document.fullscreenElement) {
        const height = size.height * Math.max(across, READABLE) + 16;
        viewport.style.height = `${Math.min(MAX_HEIGHT, Math.max(160, height))}px`;
        fitHeight = viewport.offsetHeight;
      }
      const k = Math.max(Math.min(across, (viewport.clientHeight - 16) / size.height),
        Math.min(1, READABLE));
      view = { x: Math.max(0, (available - size.width * k) / 2), y: 8, k };
      viewport.scrollTop = viewport.scrollLeft = 0;
      apply();
    },
    zoom(factor, at) { // bounded: from half the whole figure to a few times the print size
      const whole = Math.min(1, (viewport.clientWidth || size.width) / size.width,
        (viewport.clientHeight || size.height) / size.height);
      const k = Math.min(MAX_ZOOM, Math.max(whole * LEAST_ZOOM, view.k * factor));
      const px = at ? at.x : viewport.clientWidth / 2;
      const py = at ? at.y : viewport.clientHeight / 2;
      const applied = k / view.k;
      view = { k, x: px - (px - view.x) * applied, y: py - (py - view.y) * applied };
      apply();
    },
    moveTo(x, y) { view = { ...view, x, y }; apply(); },
    center(box, k = view.k) { // box in SVG units, relative to the viewBox's origin
      view = { k, x: viewport.clientWidth / 2 - (box.x + box.width / 2) * k,
               y: viewport.clientHeight / 2 - (box.y + box.height / 2) * k };
      apply();
    },
  };
}

// --- minimap: the whole figure small, the part in view marked; a click moves there ---------
function makeMinimap(minimap, viewport) {
  const image = element("img", "n2v-minimap-image");
  image.alt = "overview";
  const window_ = element("div", "n2v-minimap-window");
  const close = button("×", "Hide the overview (Reset view shows it again)", (event) => {
    event.stopPropagation();
    closed = true;
    minimap.hidden = true;
  });
  close.classList.add("n2v-minimap-close");
  minimap.append(image, window_, close);
  minimap.hidden = true;
  let closed = false; // by the user, until the view is reset
  let figure = null; // the SVG element to draw the overview from, until it is drawn
  let url = null;
  let scale = 1;
  const draw = () => { // the glyphs alone (labels and edges would not show at this size)
    if (url) URL.revokeObjectURL(url);
    const glyphs = figure.querySelector(".n2v-layers");
    const overview = `<svg xmlns="${SVG_NS}" viewBox="${figure.getAttribute("viewBox")}">`
      + `${glyphs ? new XMLSerializer().serializeToString(glyphs) : ""}</svg>`;
    url = URL.createObjectURL(new Blob([overview], { type: "image/svg+xml" }));
    image.src = url;
    figure = null;
  };
  return {
    show(svg, size) { // the whole figure inside its corner, whatever the figure's shape
      figure = svg;
      const tallest = Math.max(40, (viewport.clientHeight || 400) * MINIMAP_SHARE);
      const widest = Math.min(MINIMAP_WIDTH, (viewport.clientWidth || 400) * MINIMAP_SHARE);
      scale = Math.min(widest / size.width, tallest / size.height);
      image.style.width = `${size.width * scale}px`;
      image.style.height = `${size.height * scale}px`;
    },
    update(view, size) {
      const shown = size.width * view.k <= viewport.clientWidth + 1
        && size.height * view.k <= viewport.clientHeight + 1;
      minimap.hidden = shown || closed;
      if (shown || closed) return;
      if (figure) { // once the figure is on screen and the page is idle
        const later = window.requestIdleCallback || ((then) => setTimeout(then, 300));
        requestAnimationFrame(() => later(() => { if (figure) draw(); }));
      }
      window_.style.left = `${(-view.x / view.k) * scale}px`;
      window_.style.top = `${(-view.y / view.k) * scale}px`;
      window_.style.width = `${(viewport.clientWidth / view.k) * scale}px`;
      window_.style.height = `${(viewport.clientHeight / view.k) * scale}px`;
    },
    // the figure point (SVG units from its origin) under a click on the minimap
    pointAt(event) {
      const box = image.getBoundingClientRect();
      return { x: (event.clientX - box.left) / scale, y: (event.clientY - box.top) / scale };
    },
    reopen() { closed = false; },
    dispose() { if (url) URL.revokeObjectURL(url); },
  };
}

// --- legend panel: the figure's own legend, out of the zoomed graph so it stays in view -----
function makeLegendPanel(panel) {
  return {
    show(figure) { // moves the legend out of `figure`, framed by the box Python wrote on it
      const legend = figure.querySelector("g.n2v-legend");
      panel.hidden = !legend;
      if (!legend) return panel.replaceChildren();
      const svg = document.createElementNS(SVG_NS, "svg");
      svg.setAttribute("class", "n2v-legend-svg");
      svg.append(legend);
      const box = boxOf(legend.dataset.box);
      if (box) frameSvg(svg, box);
      panel.replaceChildren(svg);
    },
  };
}

// --- search: layers by name, type or alias, inside aggregates too ----------------------------
// run(query) marks the glyphs that match and returns them; the caller steps through them.
function makeSearch(model, canvas) {
  let matches = [];
  let current = -1;
  const matching = (query) => {
    const needle = query.trim().toLowerCase();
    if (!needle) return [];
    const aliases = Object.fromEntries(model.get("legend").map((e) => [e.key, e.alias]));
    const layers = model.get("layers");
    return [...canvas.querySelectorAll(".n2v-layer")].filter((glyph) => {
      const facts = layers[glyph.dataset.id];
      if (!facts) return false;
      const words = [facts.name, facts.type, aliases[facts.type] || "", ...(facts.layers || [])];
      return words.some((word) => word.toLowerCase().includes(needle));
    });
  };
  const mark = () => {
    canvas.querySelectorAll(".n2v-match").forEach((g) => g.classList.remove("n2v-match", "n2v-current"));
    matches.forEach((g, i) => g.classList.add("n2v-match", ...(i === current ? ["n2v-current"] : [])));
  };
  return {
    get current() { return matches[current] || null; },
    get count() { return matches.length; },
    get index() { return current; },
    run(query) { matches = matching(query); current = matches.length ? 0 : -1; mark(); },
    step(by) {
      if (!matches.length) return;
      current = (current + by + matches.length) % matches.length;
      mark();
    },
    clear() { matches = []; current = -1; mark(); },
  };
}

// --- editor: rename and recolour one legend entry -------------------------------------------
function makeEditor(panel, send) {
  let applied = false; // sent, and not yet answered by a new legend
  const close = () => { panel.hidden = true; applied = false; };
  return {
    close,
    legendChanged() { if (applied) close(); }, // a refusal leaves the editor open, as typed
    open(item) {
      const alias = element("input", "n2v-alias");
      alias.value = item.alias;
      const color = element("input", "n2v-color");
      color.type = "color";
      color.value = item.color.toLowerCase();
      const apply = () => {
        send({ action: "update", aliases: { [item.key]: alias.value }, colors: { [item.key]: color.value } });
        applied = true;
      };
      alias.addEventListener("keydown", (event) => { if (event.key === "Enter") apply(); });
      const rows = [element("strong", "", item.key), alias, color,
        button("Apply", "Rename and recolour this entry", apply)];
      if (item.kind === "aggregate") {
        rows.push(button("Ungroup", "Delete this aggregate", () => {
          send({ action: "ungroup", name: item.key });
          close();
        }));
      }
      panel.replaceChildren(...rows, button("Close", "Close the editor", close));
      panel.hidden = false;
      alias.focus();
    },
  };
}

// --- preferences: a field per preference; a change (or Enter) sends it ----------------------
function makePreferences(panel, model, send) {
  const field = (name, value, choices) => {
    const label = element("label", "n2v-preference");
    label.append(element("span", "", name.replaceAll("_", " ")));
    let input;
    if (choices) { // any JSON values: channels_first is null (auto), true or false
      input = element("select");
      for (const choice of choices) {
        const option = element("option", "", choice === null ? "auto" : String(choice));
        option.value = JSON.stringify(choice);
        input.append(option);
      }
      input.value = JSON.stringify(value);
    } else {
      input = element("input");
      input.type = typeof value === "boolean" ? "checkbox" : "text"; // text: sent as typed
      if (typeof value === "boolean") input.checked = value;
      else input.value = value;
    }
    input.name = name;
    const apply = () => {
      const read = input.type === "checkbox" ? input.checked
        : input.type === "text" ? typed(input.value) : JSON.parse(input.value);
      if (read !== model.get("preferences")[name]) send({ action: "update", preferences: { [name]: read } });
    };
    input.addEventListener("change", apply);
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") apply(); });
    label.append(input);
    return label;
  };
  return {
    show() {
      const choices = model.get("choices");
      panel.replaceChildren(...Object.entries(model.get("preferences")).map(
        ([name, value]) => field(name, value, choices[name])));
    },
  };
}

// a preference as typed: a number where it reads as one, else the text (Python says why not)
function typed(text) {
  return text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
}

// Python shows the figure as a static image before the view, for notebooks reopened without
// widget state. While a view of the figure runs, that copy is hidden, and in JupyterLab and
// Notebook 7 its whole output with it.
function hideStaticCopies(figureId) {
  if (!figureId) return () => {};
  const copy = `.n2v-static-${figureId}`;
  const style = element("style", "", `${copy}, .jp-OutputArea-child:has(${copy}) { display: none; }`);
  document.head.append(style);
  return () => style.remove();
}

// Whether Python can still hear the view, where the front end can tell: a view restored from a
// notebook's saved widget state has no comm, and the widget manager knows a dead kernel.
function makeHearing(model) {
  const manager = model.widget_manager;
  let backbone = null;
  Promise.resolve(manager?.get_model?.(model.get("figure_id")))
    .then((found) => { backbone = found; }, () => {});
  return () => {
    const kernel = manager?.kernel;
    if (kernel && (kernel.isDisposed || kernel.status === "dead")) return false;
    return !backbone || backbone.comm_live !== false;
  };
}

// --- the view --------------------------------------------------------------------------------
function render({ model, el }) {
  const root = element("div", "n2v-widget");
  root.tabIndex = 0; // keys: Esc, + - 0, / (search), ← → (steps), Ctrl+Z, Ctrl+Shift+Z
  root.setAttribute("data-jp-suppress-context-menu", ""); // the widget's own menu only
  root.setAttribute("data-lm-suppress-shortcuts", ""); // and its own keys (Ctrl+Z: its undo)
  const toolbar = element("div", "n2v-toolbar");
  const message = element("div", "n2v-message");
  message.setAttribute("role", "alert");
  const viewport = element("div", "n2v-viewport");
  const canvasElement = element("div", "n2v-canvas");
  const minimapElement = element("div", "n2v-minimap");
  const legendElement = element("div", "n2v-legend-panel");
  const muted = element("div", "n2v-muted");
  const preferencesPanel = element("div", "n2v-panel n2v-preferences");
  const editorPanel = element("div", "n2v-panel n2v-editor");
  const tooltip = element("div", "n2v-tooltip");
  const inspector = element("div", "n2v-inspect"); // the selected glyph's facts, kept in view
  preferencesPanel.hidden = editorPanel.hidden = tooltip.hidden = inspector.hidden = true;
  viewport.append(canvasElement, tooltip, minimapElement, inspector);
  root.append(toolbar, message, viewport, legendElement, muted, preferencesPanel, editorPanel);
  el.append(root);

  const canvas = makeCanvas(viewport, canvasElement);
  const minimap = makeMinimap(minimapElement, viewport);
  const legendPanel = makeLegendPanel(legendElement);
  const search = makeSearch(model, canvasElement);
  canvas.onChange(minimap.update);

  let userMoved = false; // once the user pans or zooms, new figures keep their view
  let sentAt = null;
  let unanswered = null; // the timer that says so when Python does not answer
  const heard = makeHearing(model);
  const showStatic = hideStaticCopies(model.get("figure_id"));
  const send = (content) => {
    if (!heard()) {
      message.textContent = "This view is no longer connected to Python (its kernel stopped or restarted): run the cell again to change the figure.";
      message.hidden = false;
      return;
    }
    sentAt = performance.now();
    clearTimeout(unanswered);
    unanswered = setTimeout(() => {
      message.textContent = "No answer from Python yet: the kernel is busy, or gone (then run this cell again).";
      message.hidden = false;
    }, NO_ANSWER_MS);
    model.send(content);
  };
  const answered = () => { clearTimeout(unanswered); }; // Python counts every action it ran
  const editor = makeEditor(editorPanel, send);
  const preferences = makePreferences(preferencesPanel, model, send);

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
  const searchBox = element("input", "n2v-search");
  searchBox.type = "search";
  searchBox.placeholder = "Search layers (/)";
  searchBox.title = "Find layers by name, type or alias; Enter: next match, Shift+Enter: previous";
  const found = element("span", "n2v-found");
  const fullScreen = button("Full screen", "Show the widget on the whole screen", () => {
    if (document.fullscreenElement === root) document.exitFullscreen();
    else root.requestFullscreen?.();
  });
  const undoButton = button("Undo", "Take back the last change (Ctrl+Z)", () =>
    send({ action: "undo" }));
  const redoButton = button("Redo", "Make the change again (Ctrl+Shift+Z)", () =>
    send({ action: "redo" }));
  const copyCaption = button("Copy caption",
    "Copy the figure in words: its blocks in order, their sizes and the parameters", async () => {
      const caption = model.get("caption");
      try {
        await navigator.clipboard.writeText(caption);
        copyCaption.textContent = "Copied";
        setTimeout(() => { copyCaption.textContent = "Copy caption"; }, 2000);
      } catch { // no clipboard here (an insecure page): the caption to copy by hand
        message.textContent = caption;
        message.hidden = false;
      }
    });
  toolbar.append(
    undoButton, redoButton,
    button("Auto-group", "Fold repeated layer sequences and blocks into aggregates", () =>
      send({ action: "auto_group" })),
    button("Show all layers", "Switch every aggregate off: every layer drawn (Undo folds again)",
      () => send({ action: "unfold" })),
    button("Group selection", "Group the selected layers (click one, shift-click another)", () =>
      send({ action: "group", layers: model.get("selection") })),
    ungroupButton,
    button("Preferences", "Show or hide the preferences", () => {
      preferencesPanel.hidden = !preferencesPanel.hidden;
    }),
    button("Download SVG", "Download the figure as drawn", () => send({ action: "download" })),
    copyCaption,
    searchBox, found,
    button("−", "Zoom out (-)", () => { userMoved = true; canvas.zoom(1 / ZOOM_STEP); }),
    button("+", "Zoom in (+)", () => { userMoved = true; canvas.zoom(ZOOM_STEP); }),
    button("Reset view", "Fit the figure into the view (0)", () => reset(true)),
    fullScreen,
  );

  const reset = (again = false) => { // again: the user asked (Reset view, 0)
    userMoved = false;
    minimap.reopen();
    canvas.fit(again);
  };

  // --- the figure ------------------------------------------------------------------------
  function showSvg() {
    let svg;
    try {
      svg = parseSvg(model.get("svg"));
    } catch (error) {
      message.textContent = `Cannot show the figure: ${error.message}`;
      message.hidden = false;
      return;
    }
    const looked = userMoved ? glyphInView() : null; // what the user was looking at
    legendPanel.show(svg); // the legend leaves the graph for its own panel
    const graph = boxOf(svg.dataset.graph);
    if (graph) frameSvg(svg, graph);
    canvas.show(svg);
    minimap.show(svg, canvas.size);
    highlightSelection();
    if (searchBox.value) showSearch(false);
    // in the next frame: measuring the view now would lay the new figure out twice
    requestAnimationFrame(() => follow(looked));
    if (sentAt !== null) {
      root.dataset.renderMs = (performance.now() - sentAt).toFixed(1);
      sentAt = null;
    }
    root.dataset.renders = String(Number(root.dataset.renders || 0) + 1);
  }

  const glyphWithId = (id) => canvasElement.querySelector(`.n2v-layer[data-id="${CSS.escape(id)}"]`);

  // the glyph nearest the view's centre: its id and the names of the layers it shows
  function glyphInView() {
    const { x, y, k } = canvas.view;
    const centre = { x: (viewport.clientWidth / 2 - x) / k, y: (viewport.clientHeight / 2 - y) / k };
    let nearest = null;
    let distance = Infinity;
    canvasElement.querySelectorAll(".n2v-layer").forEach((glyph) => {
      const box = relative(glyph.getBBox());
      const d = Math.hypot(box.x + box.width / 2 - centre.x, box.y + box.height / 2 - centre.y);
      if (d < distance) { nearest = glyph; distance = d; }
    });
    const facts = nearest && model.get("layers")[nearest.dataset.id];
    return facts ? { id: nearest.dataset.id, layers: facts.layers.length ? facts.layers : [facts.name] } : null;
  }

  // after a new figure: the part looked at stays in view where it still is, else the view fits
  function follow(looked) {
    const layers = model.get("layers");
    const id = looked && (layers[looked.id] ? looked.id : Object.keys(layers).find(
      (key) => looked.layers.some((name) => layers[key].layers.includes(name) || layers[key].name === name)));
    const glyph = id && glyphWithId(id);
    if (glyph) canvas.center(relative(glyph.getBBox()));
    else reset();
  }

  function highlightSelection() {
    const selected = new Set(model.get("selection"));
    canvasElement.querySelectorAll(".n2v-layer").forEach((glyph) => {
      glyph.classList.toggle("n2v-selected", selected.has(glyph.dataset.id));
    });
    ungroupButton.disabled = selectedAggregate() === null;
    inspect();
  }

  // one selected glyph: everything the tooltip knows, and the layers an aggregate holds
  function inspect() {
    const [id, ...more] = model.get("selection");
    const facts = id && !more.length ? model.get("layers")[id] : null;
    inspector.hidden = !facts;
    if (!facts) return;
    const text = tooltipText(facts, aliasOf(facts.type), facts.frame && aliasOf(facts.frame[0]));
    const held = facts.members ? `\nholds: ${facts.layers.join(", ")}` : "";
    inspector.replaceChildren(element("div", "n2v-inspect-text", text + held),
      element("div", "n2v-inspect-keys", "← → step along the edges · Esc closes"));
  }

  // the glyph an edge leads to from the selected one (forward) or comes from (backward)
  function step(forward) {
    const [id] = model.get("selection");
    if (!id) return;
    const [from, to] = forward ? ["source", "target"] : ["target", "source"];
    const edge = [...canvasElement.querySelectorAll(".n2v-edge")].find(
      (line) => line.dataset[from] === id);
    const next = edge && glyphWithId(edge.dataset[to]);
    if (!next) return;
    send({ action: "select", layers: [next.dataset.id] });
    userMoved = true;
    canvas.center(relative(next.getBBox()));
  }

  function showError() {
    message.textContent = model.get("error");
    message.hidden = !model.get("error");
    if (model.get("error")) preferences.show(); // a refused value is put back
  }

  function showSearch(zoom = true) {
    search.run(searchBox.value);
    showMatch(zoom);
  }

  function showMatch(zoom = true) {
    const glyph = search.current;
    if (!searchBox.value.trim()) found.textContent = "";
    else if (!glyph) found.textContent = "no match";
    else {
      const facts = model.get("layers")[glyph.dataset.id];
      const where = facts.members ? ` in ${aliasOf(facts.type)} ${facts.occurrence[0]}` : "";
      found.textContent = `${search.index + 1} of ${search.count}${where}`;
    }
    if (glyph && zoom) {
      userMoved = true;
      canvas.center(relative(glyph.getBBox()), Math.max(canvas.view.k, 1));
    }
  }

  // a glyph's box relative to the figure's top-left corner (the canvas's origin)
  const relative = (box) => {
    const origin = canvasElement.querySelector("svg").viewBox.baseVal;
    return { x: box.x - origin.x, y: box.y - origin.y, width: box.width, height: box.height };
  };

  // --- legend: entries toggle, hidden/inactive ones are listed greyed ----------------------
  const entry = (key) => model.get("legend").find((item) => item.key === key);
  const aliasOf = (key) => (entry(key) || { alias: key }).alias;

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

  // --- events, delegated on the root so they survive every re-render ---------------------
  let drag = null;
  const onPointerDown = (event) => {
    const box = viewport.getBoundingClientRect(); // the resize handle's corner: no panning
    const corner = box.right - event.clientX < RESIZE_CORNER && box.bottom - event.clientY < RESIZE_CORNER;
    if (event.button !== 0 || corner) return;
    drag = { x: event.clientX, y: event.clientY, view: { ...canvas.view }, moved: false };
  };
  const showTooltip = (event) => {
    const glyph = event.target.closest && event.target.closest(".n2v-layer");
    const facts = glyph && !drag ? model.get("layers")[glyph.dataset.id] : null;
    tooltip.hidden = !facts;
    if (!facts) return;
    tooltip.textContent = tooltipText(facts, aliasOf(facts.type), facts.frame && aliasOf(facts.frame[0]));
    const box = viewport.getBoundingClientRect();
    const x = event.clientX - box.left + 12;
    const y = event.clientY - box.top + 12;
    // keep the tooltip inside the view: flip it left of / above the pointer when needed
    tooltip.style.left = `${x + tooltip.offsetWidth > box.width ? Math.max(0, x - tooltip.offsetWidth - 24) : x}px`;
    tooltip.style.top = `${y + tooltip.offsetHeight > box.height ? Math.max(0, y - tooltip.offsetHeight - 24) : y}px`;
  };
  const onPointerMove = (event) => {
    showTooltip(event);
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > DRAG_THRESHOLD) drag.moved = true;
    if (drag.moved) {
      userMoved = true;
      canvas.moveTo(drag.view.x + dx, drag.view.y + dy);
    }
  };
  const onPointerUp = () => {
    setTimeout(() => { drag = null; }, 0);
  };
  const onWheel = (event) => {
    event.preventDefault();
    const box = viewport.getBoundingClientRect();
    userMoved = true;
    canvas.zoom(event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP,
      { x: event.clientX - box.left, y: event.clientY - box.top });
  };
  const onClick = (event) => {
    if (drag && drag.moved) return;
    if (event.target.closest(".n2v-minimap")) {
      const point = minimap.pointAt(event);
      userMoved = true;
      canvas.center({ ...point, width: 0, height: 0 });
      return;
    }
    const glyph = event.target.closest(".n2v-layer");
    const item = event.target.closest(".n2v-legend-item");
    const frame = event.target.closest(".n2v-frame");
    if (frame) {
      send({ action: "close", glyph: frame.dataset.id });
    } else if (glyph) {
      const selection = model.get("selection");
      const id = glyph.dataset.id;
      if (event.shiftKey && selection.length) send({ action: "select_between", first: selection[0], last: id });
      else send({ action: "select", layers: [id] });
    } else if (item && entry(item.dataset.key)) {
      toggle(entry(item.dataset.key));
    }
  };
  const onDoubleClick = (event) => { // one occurrence of an aggregate opens in place
    const glyph = event.target.closest(".n2v-layer.n2v-group");
    if (glyph && !(drag && drag.moved)) send({ action: "open", glyph: glyph.dataset.id });
  };
  const onContextMenu = (event) => {
    const item = event.target.closest(".n2v-legend-item");
    if (item && entry(item.dataset.key)) {
      event.preventDefault();
      event.stopPropagation(); // JupyterLab's and Notebook's own menu stays closed
      editor.open(entry(item.dataset.key));
    }
  };
  const onKeyDown = (event) => {
    const typing = event.target.closest("input, select, textarea");
    if (event.key === "Escape") {
      editor.close();
      preferencesPanel.hidden = true;
      searchBox.value = "";
      search.clear();
      found.textContent = "";
      if (model.get("selection").length) send({ action: "select", layers: [] });
      root.focus();
    } else if (event.target === searchBox && event.key === "Enter") {
      search.step(event.shiftKey ? -1 : 1);
      showMatch();
    } else if (!typing && (event.key === "+" || event.key === "=")) {
      userMoved = true;
      canvas.zoom(ZOOM_STEP);
    } else if (!typing && event.key === "-") {
      userMoved = true;
      canvas.zoom(1 / ZOOM_STEP);
    } else if (!typing && event.key === "0") {
      reset(true);
    } else if (!typing && (event.ctrlKey || event.metaKey)
               && (event.key.toLowerCase() === "z" || event.key.toLowerCase() === "y")) {
      event.preventDefault();
      const again = event.shiftKey || event.key.toLowerCase() === "y";
      if (model.get("history")[again ? "redo" : "undo"]) send({ action: again ? "redo" : "undo" });
    } else if (!typing && (event.key === "ArrowRight" || event.key === "ArrowLeft")) {
      event.preventDefault();
      step(event.key === "ArrowRight");
    } else if (!typing && event.key === "/") {
      event.preventDefault();
      searchBox.focus();
    } else {
      return;
    }
    event.stopPropagation(); // the notebook's own shortcuts stay out of the widget
  };
  let width = 0; // the view's, when last seen: a narrower or wider window fits again
  const resizeObserver = new ResizeObserver(() => {
    canvas.resized();
    if (Math.abs(viewport.clientWidth - width) > 1 && width && !userMoved) canvas.fit();
    width = viewport.clientWidth;
  });
  resizeObserver.observe(viewport);
  viewport.addEventListener("pointerdown", onPointerDown);
  viewport.addEventListener("pointermove", onPointerMove);
  viewport.addEventListener("pointerleave", () => { tooltip.hidden = true; });
  viewport.addEventListener("wheel", onWheel, { passive: false });
  viewport.addEventListener("scroll", () => { viewport.scrollTop = viewport.scrollLeft = 0; });
  window.addEventListener("pointerup", onPointerUp);
  root.addEventListener("click", onClick);
  root.addEventListener("dblclick", onDoubleClick);
  root.addEventListener("contextmenu", onContextMenu);
  root.addEventListener("keydown", onKeyDown);
  searchBox.addEventListener("input", () => showSearch());
  root.addEventListener("fullscreenchange", () => {
    fullScreen.textContent = document.fullscreenElement === root ? "Exit full screen" : "Full screen";
    reset();
  });

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
  model.on("change:legend", () => { showMuted(); editor.legendChanged(); });
  model.on("change:preferences", preferences.show);
  model.on("change:answered", answered);
  const showHistory = () => {
    const { undo, redo } = model.get("history");
    const focused = root.contains(document.activeElement) && document.activeElement;
    undoButton.disabled = !undo;
    redoButton.disabled = !redo;
    if (focused && focused.disabled) root.focus(); // the keys keep working in the widget
  };
  model.on("change:history", showHistory);
  model.on("msg:custom", onMessage);
  requestAnimationFrame(showSvg); // once the view is in the page: the fit needs its width
  showError();
  showMuted();
  showHistory();
  preferences.show();

  return () => {
    showStatic();
    window.removeEventListener("pointerup", onPointerUp);
    resizeObserver.disconnect();
    clearTimeout(unanswered);
    minimap.dispose();
  };
}

export default { render };
