// The table rendered to HTML (Vue's server renderer; no window needed): what is in the DOM for a list
// of 100,000 rows before any scrolling.
import { describe, expect, test } from "vitest";
import { createSSRApp, h } from "vue";
import { renderToString } from "vue/server-renderer";
import VirtualTable, { type TableColumn } from "./VirtualTable";

interface Person {
  id: string;
  name: string;
  spent: number;
}

const people: Person[] = Array.from({ length: 100_000 }, (_, i) => ({
  id: `k${i}`,
  name: `客户${i} with a long name`,
  spent: i * 3,
}));
const columns: TableColumn<Person>[] = [
  { key: "badge", title: "Tier", width: 50, fixed: "left", render: (p) => h("b", { class: "badge" }, p.id) },
  { key: "name", title: "Name", width: 120, fixed: "left", ellipsis: true, sortable: true, text: (p) => p.name },
  { key: "spent", title: "Spent", width: 80, align: "right", sortable: true, text: (p) => String(p.spent) },
];

async function render(props: Record<string, unknown>, slots: Record<string, () => unknown> = {}) {
  const app = createSSRApp({ render: () => h(VirtualTable, props as never, slots) });
  return renderToString(app);
}

describe("VirtualTable", () => {
  test("100,000 rows: a screenful in the DOM, the rest stands in as one padding row of their height", async () => {
    const html = await render({ columns, data: people, rowKey: (p: Person) => p.id, rowTestid: "row", rowHeight: 40 });
    const rows = html.match(/data-testid="row"/g) ?? [];
    // Not measured yet (no window): 30 rows + 6 overscan below.
    expect(rows.length).toBe(36);
    expect(html).toContain("客户0 with a long name");
    expect(html).toContain("客户35 with a long name");
    expect(html).not.toContain("客户36 with a long name");
    // The bottom padding row holds the place of the 99,964 rows not rendered; there is no top one.
    expect(html).toContain(`height:${(100_000 - 36) * 40}px`);
    expect(html.match(/vt-pad/g)?.length).toBe(1);
  });

  test("cells: text, the full text as tooltip on ellipsised columns, rendered elements, alignment, pinned offsets", async () => {
    const html = await render({ columns, data: people.slice(0, 2), rowKey: (p: Person) => p.id });
    expect(html).toContain(`title="客户1 with a long name"`);
    expect(html).not.toContain(`title="3"`); // the spent column is not ellipsised
    expect(html).toContain(`<b class="badge">k1</b>`);
    expect(html).toMatch(/<td[^>]*style="text-align:right;"[^>]*>3<\/td>/);
    // Pinned: the first at 0, the second after the first's width; the last pinned one draws the edge.
    expect(html).toMatch(/<td class="vt-pin" style="left:0px;"/);
    expect(html).toMatch(/<td class="vt-pin vt-pin-last" style="left:50px;"/);
    expect(html).toContain("width:250px");
  });

  test("the header says which column is sorted and how; unsortable columns have no sort state", async () => {
    const html = await render({
      columns,
      data: people.slice(0, 1),
      rowKey: (p: Person) => p.id,
      sortKey: "spent",
      sortOrder: "ascend",
    });
    const ths = html.match(/<th[^>]*>.*?<\/th>/g) ?? [];
    expect(ths).toHaveLength(3);
    expect(ths[0]).not.toContain("aria-sort");
    expect(ths[1]).toContain(`aria-sort="none"`);
    expect(ths[2]).toContain(`aria-sort="ascending"`);
    expect(ths[2]).toContain("vt-sorted");
    expect(ths[2]).toContain("▲");
  });

  test("no rows: the empty slot instead", async () => {
    const html = await render({ columns, data: [], rowKey: (p: Person) => p.id }, { empty: () => "nothing here" });
    expect(html).toContain("nothing here");
    expect(html).not.toContain("<td");
  });
});
