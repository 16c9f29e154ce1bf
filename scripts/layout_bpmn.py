"""Lay out a shipped diagram's drawing (its bpmndi:BPMNDiagram) so it reads at 100 % on a 1366 px screen.

    .venv/bin/python scripts/layout_bpmn.py processes/bpmn/inspection_lifecycle.bpmn [...]

A maintenance tool, not shipped code: it reads the process part, computes positions lane by lane and rewrites
only the text between `<bpmndi:BPMNDiagram` and `</bpmndi:BPMNDiagram>` (the process part is never touched).

- Columns: the longest path from the start events, loops (back edges found depth first) left out; a boundary
  event's targets come after its host; an embedded sub-process's inner nodes take columns of their own and its
  frame surrounds them.
- Rows: each lane holds as many rows as its nodes need; a node keeps its predecessor's row when that is free, so
  the main path runs straight.
- Flows are orthogonal: straight on one row; a gateway's branch leaves from its top or bottom; a flow that would
  run through other nodes, and every loop back, runs in the free band between two rows instead.
- Labels: a gateway's above-left of it (never on the diamond), an event's under it, a branch's name by the
  branch's first bend.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
B = "{" + NS["bpmn"] + "}"
SIZES = {"gateway": (50, 50), "event": (36, 36), "activity": (100, 80)}
ROW = 120  # height of a row in a lane
LANE_PAD = 30  # free band above the first and below the last row of a lane
POOL_X, LANE_X = 150, 180  # the pool's left edge, the lanes' left edge (after the pool's title band)
FIRST_GAP = 50
GAP = 50  # between columns
GATEWAY_GAP = 100  # after a column with a branching gateway: room for the branch's name
SUB_TOP = 40  # a sub-process frame's band for its name, above its nodes' labels
CHAR = 12  # width of one Chinese character at bpmn-js's label size


def kind(element) -> str:
    name = etree.QName(element).localname
    if name.endswith("Gateway"):
        return "gateway"
    if name.endswith("Event"):
        return "event"
    return "activity"


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str = ""
    col: int = 0
    row: int = 0
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    parent: str | None = None  # the embedded sub-process holding it

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Layout:
    nodes: dict[str, Node] = field(default_factory=dict)
    boundaries: dict[str, str] = field(default_factory=dict)  # boundary event -> host
    subs: dict[str, list[str]] = field(default_factory=dict)  # sub-process -> inner node ids
    flows: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, source, target, name
    lanes: list[tuple[str, str]] = field(default_factory=list)  # id, name
    lane_top: dict[str, float] = field(default_factory=dict)
    lane_rows: dict[str, int] = field(default_factory=dict)
    lane_extra: dict[str, float] = field(default_factory=dict)


def read(root) -> Layout:
    layout = Layout()
    process = root.find("bpmn:process", NS)
    lane_of = {}
    for lane in process.iter(B + "lane"):
        layout.lanes.append((lane.get("id"), lane.get("name") or ""))
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lane_of[ref.text] = lane.get("id")

    def walk(container, parent):
        for element in container:
            if not isinstance(element.tag, str) or element.tag == B + "laneSet":
                continue
            local = etree.QName(element).localname
            if local == "sequenceFlow":
                layout.flows.append((element.get("id"), element.get("sourceRef"), element.get("targetRef"),
                                     element.get("name") or ""))
            elif local == "boundaryEvent":
                layout.boundaries[element.get("id")] = element.get("attachedToRef")
                layout.nodes[element.get("id")] = Node(element.get("id"), "event", element.get("name") or "",
                                                       lane_of.get(element.get("id"), ""), parent=parent)
            elif local == "subProcess":
                layout.subs[element.get("id")] = []
                layout.nodes[element.get("id")] = Node(element.get("id"), "sub", element.get("name") or "")
                walk(element, element.get("id"))
            elif local in ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent") or \
                    local.endswith("Task") or local in ("task", "callActivity") or local.endswith("Gateway"):
                layout.nodes[element.get("id")] = Node(element.get("id"), kind(element), element.get("name") or "",
                                                       lane_of.get(element.get("id"), ""), parent=parent)
                if parent:
                    layout.subs[parent].append(element.get("id"))
    walk(process, None)
    return layout


def columns(layout: Layout) -> None:
    """Longest-path columns over the flows with loops removed; a sub-process stands for its inner nodes."""
    nodes = layout.nodes
    starts_of = {sub: [i for i in inner if nodes[i].kind == "event" and not any(f[2] == i for f in layout.flows)]
                 for sub, inner in layout.subs.items()}
    ends_of = {sub: [i for i in inner if not any(f[1] == i for f in layout.flows)]
               for sub, inner in layout.subs.items()}
    edges: list[tuple[str, str]] = []
    for _, source, target, _ in layout.flows:
        if source in layout.boundaries:
            host = layout.boundaries[source]
            sources = ends_of.get(host, [host])
        else:
            sources = ends_of.get(source, [source])
        for s in sources:
            for t in starts_of.get(target, [target]):
                edges.append((s, t))
    graph: dict[str, list[str]] = {}
    for s, t in edges:
        graph.setdefault(s, []).append(t)
    placed = [n for n in nodes if n not in layout.boundaries and nodes[n].kind != "sub"]
    incoming = {t for _, t in edges}
    roots = [n for n in placed if n not in incoming]
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}

    def dfs(node):
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                dfs(nxt)
        state[node] = 2

    sys.setrecursionlimit(10000)
    for r in roots:
        if r not in state:
            dfs(r)
    dag = [(s, t) for s, t in edges if (s, t) not in back]
    layout.dag = list(dag)  # type: ignore[attr-defined]
    # A sub-process's frame spans lanes: what does not follow from it goes before it, not under its frame.
    for sub, inner in layout.subs.items():
        after: set[str] = set()
        pending = [i for i in inner]
        while pending:
            n = pending.pop()
            for s, t in dag:
                if s == n and t not in after:
                    after.add(t)
                    pending.append(t)
        for n in placed:
            if n not in inner and n not in after:
                dag += [(n, start) for start in starts_of[sub]]
    col = {n: 0 for n in placed}
    for _ in range(len(placed)):
        changed = False
        for s, t in dag:
            if col[t] < col[s] + 1:
                col[t] = col[s] + 1
                changed = True
        if not changed:
            break
    for n in placed:
        nodes[n].col = col[n]
    layout.back = back  # type: ignore[attr-defined]


def rows(layout: Layout) -> None:
    """A row per node within its lane: its predecessor's row when free there, else the first free one."""
    nodes = layout.nodes
    taken: dict[tuple[str, int], set[int]] = {}
    preds: dict[str, list[str]] = {}
    for s, t in layout.dag:  # type: ignore[attr-defined]
        preds.setdefault(t, []).append(s)
    succs: dict[str, list[str]] = {}
    for s, t in layout.dag:  # type: ignore[attr-defined]
        succs.setdefault(s, []).append(t)
    remaining: dict[str, int] = {}

    def longest(node_id: str) -> int:  # the steps still ahead: the longest branch keeps the straight line
        if node_id not in remaining:
            remaining[node_id] = 0
            remaining[node_id] = 1 + max((longest(t) for t in succs.get(node_id, [])), default=0)
        return remaining[node_id]

    below_host = {t: b for f, b, t, _ in layout.flows for _ in [f] if b in layout.boundaries}
    order = sorted((n for n in nodes.values() if n.id not in layout.boundaries and n.kind != "sub"),
                   key=lambda n: (n.col, -longest(n.id), n.id))
    for node in order:
        wanted = [nodes[p].row for p in preds.get(node.id, []) if nodes[p].lane == node.lane]
        host = nodes[layout.boundaries[below_host[node.id]]] if node.id in below_host else None
        if host is not None and host.kind != "sub" and host.lane == node.lane:
            wanted = [host.row + 1]  # an escalation sits below-right of the step whose deadline passed
        free = taken.setdefault((node.lane, node.col), set())
        # a node must also leave room for its column neighbours' sub-process frames: keep it simple, rows only
        choice = next((r for r in sorted(wanted) if r not in free), None)
        if choice is None:
            choice = next(r for r in range(50) if r not in free)
        node.row = choice
        free.add(choice)


def place(layout: Layout, top: float) -> None:
    nodes = layout.nodes
    placed = [n for n in nodes.values() if n.id not in layout.boundaries and n.kind != "sub"]
    for node in placed:
        node.w, node.h = SIZES[node.kind]
    ncols = max(n.col for n in placed) + 1
    widths = [max((n.w for n in placed if n.col == c), default=50) for c in range(ncols)]
    branching = {s for _, s, _, _ in layout.flows if sum(1 for f in layout.flows if f[1] == s) > 1
                 and nodes[s].kind == "gateway"}
    # a sub-process's frame needs room on its sides: columns where one begins or ends get a wider gap
    starts = {min(nodes[i].col for i in inner) for inner in layout.subs.values() if inner}
    ends = {max(nodes[i].col for i in inner) for inner in layout.subs.values() if inner}
    xs, x = [], LANE_X + FIRST_GAP
    for c in range(ncols):
        if c in starts:
            x += 30
        xs.append(x)
        gap = GATEWAY_GAP if any(n.col == c and n.id in branching for n in placed) else GAP
        x += widths[c] + gap + (30 if c in ends else 0)
    layout.width = x - LANE_X  # type: ignore[attr-defined]
    y = top
    for lane_id, _ in layout.lanes:
        count = max((n.row for n in placed if n.lane == lane_id), default=0) + 1
        # room above a sub-process frame that starts on the lane's first row, for its name over its nodes' labels
        extra = SUB_TOP if any(n.parent and n.lane == lane_id and n.row == 0 for n in placed) else 0
        layout.lane_top[lane_id] = y
        layout.lane_extra[lane_id] = extra
        layout.lane_rows[lane_id] = count
        y += count * ROW + 2 * LANE_PAD + extra
    layout.height = y - top  # type: ignore[attr-defined]
    for node in placed:
        center_y = layout.lane_top[node.lane] + layout.lane_extra[node.lane] + LANE_PAD + node.row * ROW + ROW / 2
        center_x = xs[node.col] + widths[node.col] / 2
        node.x, node.y = round(center_x - node.w / 2), round(center_y - node.h / 2)
    for sub, inner in layout.subs.items():
        members = [nodes[i] for i in inner]
        frame = nodes[sub]
        frame.x = min(n.x for n in members) - 30
        frame.y = min(n.y for n in members) - 30 - SUB_TOP
        frame.w = max(n.x + n.w for n in members) + 30 - frame.x
        frame.h = max(n.y + n.h for n in members) + 30 - frame.y
    hosts_used: dict[str, int] = {}
    for boundary, host in layout.boundaries.items():
        h = nodes[host]
        b = nodes[boundary]
        b.w = b.h = 36
        index = hosts_used.get(host, 0)
        hosts_used[host] = index + 1
        b.x = round(h.x + h.w - 26 - index * 44) if h.kind != "sub" else round(h.x + h.w - 80 - index * 44)
        b.y = round(h.y + h.h - 18)


def segments_hit(layout: Layout, points, ignore) -> bool:
    """Whether the path runs through a node other than those ignored."""
    for node in layout.nodes.values():
        if node.id in ignore or node.kind == "sub":
            continue
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            lo_x, hi_x, lo_y, hi_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
            if lo_x < node.x + node.w and hi_x > node.x and lo_y < node.y + node.h and hi_y > node.y:
                return True
    return False


class Bands:
    """The free horizontal bands between rows, each handing out its own track to every flow run through it."""

    def __init__(self):
        self.used: dict[float, int] = {}

    def track(self, y: float) -> float:
        n = self.used.get(y, 0)
        self.used[y] = n + 1
        return y + (n % 4) * 8 - 12


def cell(node: Node) -> tuple[float, float]:
    """The top and bottom of the band a node's row leaves free above and below it."""
    if node.kind == "sub" or node.h < 2:
        return node.y - 12, node.y + node.h + 20
    return node.cy - ROW / 2, node.cy + ROW / 2


def through_band(layout: Layout, source: Node, target: Node, bands: Bands, ignore: set[str]):
    """Out of the source's top or bottom, along a free band, into the target's bottom or top: the first band
    whose path runs through no other node (near the source first)."""
    s_top, s_bottom = cell(source)
    t_top, t_bottom = cell(target)
    if target.h < 2:  # a loop back into a sub-process's frame: out of the source's right side, down onto the frame
        y = target.y - 10
        side = source.x + source.w + 20
        points = [(source.x + source.w, source.cy), (side, source.cy), (side, y), (target.cx, y), (target.cx, target.y)]
        return points, (side + 4, source.cy - 18)
    if target.cy < source.cy - 1:
        candidates = [s_top, t_bottom, t_top, s_bottom]
    elif target.cy > source.cy + 1:
        candidates = [s_bottom, t_top, t_bottom, s_top]
    else:
        candidates = [s_bottom, s_top]

    def path(y):
        start = (source.cx, source.y) if y < source.cy else (source.cx, source.y + source.h)
        end = (target.cx, target.y + target.h) if y > target.cy else (target.cx, target.y)
        return [start, (source.cx, y), (target.cx, y), end]

    chosen = next((y for y in candidates if not segments_hit(layout, path(y), ignore)), candidates[0])
    points = path(bands.track(chosen))
    return points, (source.cx + 6, points[1][1] - 18)


def frame_side(layout: Layout, sub: Node, inner_id: str, back_from: Node | None = None) -> Node:
    """What a flow into or out of a sub-process's frame aims at: the frame's side at the row of its start (or
    end) event; a loop back comes in through the frame's top at the point nearest to where it comes from."""
    if back_from is not None:
        x = min(max(back_from.cx, sub.x + 60), sub.x + sub.w - 60)
        return Node(sub.id, "activity", "", x=x - 50, y=sub.y, w=100, h=1)
    anchor = layout.nodes[inner_id]
    return Node(sub.id, "activity", "", x=sub.x, y=anchor.cy - 40, w=sub.w, h=80)


def route(layout: Layout, source: Node, target: Node, is_back: bool, bands: Bands, is_boundary: bool):
    """Waypoints of one flow and where its name goes (the point after its first bend)."""
    if target.kind == "sub":
        inner = layout.subs[target.id]
        start = next(i for i in inner if layout.nodes[i].col == min(layout.nodes[j].col for j in inner))
        target = frame_side(layout, target, start, back_from=source if is_back else None)
    if source.kind == "sub" and not is_boundary:
        inner = layout.subs[source.id]
        end = next(i for i in inner if layout.nodes[i].col == max(layout.nodes[j].col for j in inner))
        source = frame_side(layout, source, end)
    sx, sy, tx, ty = source.cx, source.cy, target.cx, target.cy
    ignore = {source.id, target.id, *(layout.boundaries if is_boundary else [])}
    if is_boundary:
        start = (sx, source.y + source.h)
        if tx > sx and not segments_hit(layout, [start, (sx, ty), (target.x, ty)], ignore):
            return [start, (sx, ty), (target.x, ty)], (sx + 4, ty - 18)
        return through_band(layout, source, target, bands, ignore)
    if not is_back and target.x > source.x + source.w:
        if abs(sy - ty) < 1:
            path = [(source.x + source.w, sy), (target.x, ty)]
            if not segments_hit(layout, path, ignore):
                return path, (source.x + source.w + 6, sy - 20)
        elif source.kind == "gateway":
            exit_y = source.y + source.h if ty > sy else source.y
            path = [(sx, exit_y), (sx, ty), (target.x, ty)]
            if not segments_hit(layout, path, ignore):
                return path, (sx + 6, ty - 20)
        elif target.kind == "gateway":
            enter_y = target.y if ty > sy else target.y + target.h
            path = [(source.x + source.w, sy), (tx, sy), (tx, enter_y)]
            if not segments_hit(layout, path, ignore):
                return path, (source.x + source.w + 6, sy - 20)
        else:
            mid = target.x - 25
            path = [(source.x + source.w, sy), (mid, sy), (mid, ty), (target.x, ty)]
            if not segments_hit(layout, path, ignore):
                return path, (source.x + source.w + 6, sy - 20)
    return through_band(layout, source, target, bands, ignore)


def free_spot(points, suggested, width, height, taken):
    """Where a flow's name goes: the suggested spot by its first bend if that covers no step and no other label,
    else the first free spot beside one of its segments (above or below a run, right or left of a climb)."""
    spots = [suggested]
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        if y1 == y2:
            for x in (min(x1, x2) + 6, (x1 + x2) / 2 - width / 2, max(x1, x2) - width - 6):
                spots += [(x, y1 - height - 2), (x, y1 + 3)]
        else:
            for y in (min(y1, y2) + 4, (y1 + y2) / 2 - height / 2, max(y1, y2) - height - 4):
                spots += [(x1 + 4, y), (x1 - width - 4, y)]

    def free(spot):
        x, y = spot
        return not any(x < tx + tw and tx < x + width and y < ty + th and ty < y + height
                       for tx, ty, tw, th in taken)

    return next((spot for spot in spots if free(spot)), suggested)


def label_size(text: str) -> tuple[float, float]:
    width = min(90, max(24, CHAR * len(text)))
    lines = max(1, -(-CHAR * len(text) // 90))
    return width, 14 * lines


def render(root, layout: Layout, diagram_id: str, plane_id: str, plane_element: str, indent: str) -> str:
    nodes = layout.nodes
    collaboration = root.find("bpmn:collaboration", NS)
    participant = collaboration.find("bpmn:participant", NS)
    top = 80
    out = [f'{indent}<bpmndi:BPMNDiagram id="{diagram_id}">',
           f'{indent}  <bpmndi:BPMNPlane id="{plane_id}" bpmnElement="{plane_element}">']

    def shape(element_id, x, y, w, h, extra="", label=None):
        out.append(f'{indent}    <bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}"{extra}>')
        out.append(f'{indent}      <dc:Bounds x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" />')
        if label:
            lx, ly, lw, lh = label
            out.append(f'{indent}      <bpmndi:BPMNLabel>')
            out.append(f'{indent}        <dc:Bounds x="{lx:g}" y="{ly:g}" width="{lw:g}" height="{lh:g}" />')
            out.append(f'{indent}      </bpmndi:BPMNLabel>')
        out.append(f'{indent}    </bpmndi:BPMNShape>')

    width = layout.width  # type: ignore[attr-defined]
    shape(participant.get("id"), POOL_X, top, width + LANE_X - POOL_X, layout.height,  # type: ignore[attr-defined]
          ' isHorizontal="true"')
    for lane_id, _ in layout.lanes:
        shape(lane_id, LANE_X, layout.lane_top[lane_id], width,
              layout.lane_rows[lane_id] * ROW + 2 * LANE_PAD + layout.lane_extra[lane_id], ' isHorizontal="true"')
    ordered = sorted(nodes.values(), key=lambda n: (n.kind != "sub", n.id in layout.boundaries))
    taken: list[tuple[float, float, float, float]] = []  # what a branch's name must not cover
    for node in ordered:
        label = None
        extra = ""
        if node.kind == "gateway":
            extra = ' isMarkerVisible="true"'
            if node.name:
                lw, lh = label_size(node.name)
                label = (node.x - lw + 10, node.y - lh - 4, lw, lh)
        elif node.kind == "event" and node.name and node.id in layout.boundaries:
            lw, lh = label_size(node.name)  # left of its flow, which leaves downwards
            label = (node.x - lw - 2, node.y + node.h + 2, lw, lh)
        elif node.kind == "event" and node.name:
            lw, lh = label_size(node.name)
            label = (node.cx - lw / 2, node.y + node.h + 4, lw, lh)
        elif node.kind == "sub":
            extra = ' isExpanded="true"'
        shape(node.id, node.x, node.y, node.w, node.h, extra, label)
        if node.kind != "sub":
            taken.append((node.x, node.y, node.w, node.h))
        if label:
            taken.append(label)
    bands = Bands()
    back = layout.back  # type: ignore[attr-defined]
    for flow_id, source_id, target_id, name in layout.flows:
        source, target = nodes[source_id], nodes[target_id]
        s_col = source.col if source_id not in layout.boundaries else nodes[layout.boundaries[source_id]].col
        is_back = (source_id, target_id) in back or target.x + target.w <= source.x
        points, (lx, ly) = route(layout, source, target, is_back, bands, source_id in layout.boundaries)
        del s_col
        out.append(f'{indent}    <bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">')
        for px, py in points:
            out.append(f'{indent}      <di:waypoint x="{round(px):g}" y="{round(py):g}" />')
        if name:
            lw, lh = label_size(name)
            lx, ly = free_spot(points, (lx, ly), lw, lh, taken)
            taken.append((lx, ly, lw, lh))
            out.append(f'{indent}      <bpmndi:BPMNLabel>')
            bounds = f'x="{round(lx):g}" y="{round(ly):g}" width="{lw:g}" height="{lh:g}"'
            out.append(f'{indent}        <dc:Bounds {bounds} />')
            out.append(f'{indent}      </bpmndi:BPMNLabel>')
        out.append(f'{indent}    </bpmndi:BPMNEdge>')
    out.append(f'{indent}  </bpmndi:BPMNPlane>')
    out.append(f'{indent}</bpmndi:BPMNDiagram>')
    return "\n".join(out)


def relayout(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    root = etree.fromstring(text.encode())
    layout = read(root)
    columns(layout)
    rows(layout)
    place(layout, top=80)
    match = re.search(r'( *)<bpmndi:BPMNDiagram id="([^"]+)">\s*<bpmndi:BPMNPlane id="([^"]+)" bpmnElement="([^"]+)"'
                      r'.*?</bpmndi:BPMNDiagram>', text, re.S)
    if not match:
        raise SystemExit(f"{path}: no bpmndi:BPMNDiagram")
    drawn = render(root, layout, match.group(2), match.group(3), match.group(4), match.group(1))
    path.write_text(text[:match.start()] + drawn + text[match.end():], encoding="utf-8")
    print(f"{path}: {layout.width:.0f} × {layout.height:.0f}")  # type: ignore[attr-defined]


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        relayout(Path(argument))
