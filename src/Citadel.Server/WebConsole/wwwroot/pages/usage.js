import { cloudtrail } from "../api.js";
import { errorBox, field, h, select } from "../dom.js";

/** At most this many LookupEvents pages (50 events each) are read for one chart; the chart says when it stopped. */
const MaxPages = 40;
const DaySeconds = 86400;
const svgNs = "http://www.w3.org/2000/svg";

/** Distinct on white and for the usual kinds of colour blindness (Okabe–Ito), then greys. */
const palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#7a6a00", "#000000", "#777777", "#aaaaaa"];

/**
 * A key's requests per day by operation, from CloudTrail's LookupEvents by the key's ARN (the
 * signed-in principal needs cloudtrail:LookupEvents, as for the audit page). Drawn as stacked bars
 * in SVG by this module, with the same numbers in a table for screen readers and keyboards.
 */
export function usageSection(arn, body) {
  const period = select("usageDays", [["7", "7 days"], ["30", "30 days"], ["90", "90 days"]], "30");
  const chart = h("div", { class: "usage", "aria-live": "polite" }, "Loading…");
  period.addEventListener("change", () => draw());

  async function draw() {
    chart.replaceChildren("Loading…");
    const days = Number(period.value);
    try {
      const { counts, first, complete } = await countByDay(arn, days);
      chart.replaceChildren(...render(counts, first, days, complete));
    } catch (error) {
      chart.replaceChildren(errorBox(error));
    }
  }

  body.replaceChildren(h("div", { class: "filters" }, field("Period", period)), chart);
  return draw();
}

/** Requests of the key per UTC day and operation: Map(day index from the first day → Map(operation → count)). */
async function countByDay(arn, days) {
  const today = Math.floor(Date.now() / 1000 / DaySeconds);
  const first = today - days + 1;
  const counts = new Map();
  let nextToken;
  let pages = 0;
  do {
    const answer = await cloudtrail("LookupEvents", {
      LookupAttributes: [{ AttributeKey: "ResourceName", AttributeValue: arn }],
      StartTime: first * DaySeconds,
      MaxResults: 50,
      NextToken: nextToken,
    });
    for (const event of answer.Events) {
      const day = Math.floor(event.EventTime / DaySeconds) - first;
      if (day < 0 || day >= days) {
        continue;
      }
      const byOperation = counts.get(day) ?? new Map();
      byOperation.set(event.EventName, (byOperation.get(event.EventName) ?? 0) + 1);
      counts.set(day, byOperation);
    }
    nextToken = answer.NextToken;
    pages++;
  } while (nextToken && pages < MaxPages);
  return { counts, first, complete: !nextToken };
}

function render(counts, firstDay, days, complete) {
  const dayName = (day) => new Date((firstDay + day) * DaySeconds * 1000).toISOString().slice(0, 10);
  const totals = new Map();
  for (const byOperation of counts.values()) {
    for (const [operation, count] of byOperation) {
      totals.set(operation, (totals.get(operation) ?? 0) + count);
    }
  }
  if (totals.size === 0) {
    return [h("p", {}, `No requests with this key in the last ${days} days.`)];
  }

  const operations = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b));
  const colour = new Map(operations.map((operation, index) => [operation, palette[Math.min(index, palette.length - 1)]]));
  const highest = Math.max(...[...counts.values()].map((byOperation) => [...byOperation.values()].reduce((a, b) => a + b, 0)));
  const total = [...totals.values()].reduce((a, b) => a + b, 0);
  const caption = `${total} requests in the last ${days} days${complete ? "" : ` (the newest ${MaxPages * 50} events; earlier days are incomplete)`}`;

  return [
    h("p", { class: "usage-total" }, caption + "."),
    chartSvg(counts, days, operations, colour, highest, dayName, caption),
    h("ul", { class: "legend" }, operations.map((operation) => h("li", {},
      svg("svg", { class: "swatch", viewBox: "0 0 10 10", "aria-hidden": "true" }, svg("rect", { width: 10, height: 10, fill: colour.get(operation) })), `${operation}: ${totals.get(operation)}`))),
    h("details", {}, h("summary", {}, "Requests per day as a table"), h("div", { class: "scroll" }, h("table", { class: "usage-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Day (UTC)"), operations.map((operation) => h("th", { scope: "col" }, operation)))),
      h("tbody", {}, [...counts.keys()].sort((a, b) => b - a).map((day) => h("tr", {},
        h("th", { scope: "row" }, dayName(day)),
        operations.map((operation) => h("td", {}, String(counts.get(day).get(operation) ?? 0)))))),
      h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, "Total"), operations.map((operation) => h("td", {}, String(totals.get(operation))))))))),
  ];
}

function svg(tag, attributes, ...children) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, String(value));
  }
  element.append(...children);
  return element;
}

/** Stacked bars, one per UTC day, the most used operation at the bottom; each segment has a <title>. */
function chartSvg(counts, days, operations, colour, highest, dayName, caption) {
  const left = 40;
  const top = 10;
  const height = 160;
  const slot = Math.max(8, Math.floor(720 / days));
  const width = left + days * slot + 10;
  const scale = height / highest;
  const parts = [
    svg("title", {}, caption),
    svg("line", { x1: left, y1: top + height, x2: width - 10, y2: top + height, stroke: "#545b64" }),
    svg("text", { x: left - 6, y: top + 10, "text-anchor": "end", "font-size": 11 }, String(highest)),
    svg("text", { x: left - 6, y: top + height, "text-anchor": "end", "font-size": 11 }, "0"),
  ];
  for (let day = 0; day < days; day++) {
    const x = left + day * slot + 1;
    if (day % Math.ceil(days / 6) === 0 || day === days - 1) {
      parts.push(svg("text", { x: x + slot / 2, y: top + height + 16, "text-anchor": "middle", "font-size": 11 }, dayName(day).slice(5)));
    }
    let y = top + height;
    for (const operation of operations) {
      const count = counts.get(day)?.get(operation) ?? 0;
      if (count === 0) {
        continue;
      }
      const barHeight = Math.max(1, count * scale);
      y -= barHeight;
      parts.push(svg("rect", {
        x, y, width: slot - 2, height: barHeight, fill: colour.get(operation), "data-day": dayName(day), "data-operation": operation, "data-count": count,
      }, svg("title", {}, `${dayName(day)} ${operation}: ${count}`)));
    }
  }
  return svg("svg", { class: "usage-chart", viewBox: `0 0 ${width} ${top + height + 24}`, role: "img", "aria-label": caption }, ...parts);
}
