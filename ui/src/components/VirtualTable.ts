// A table for very long lists (the customer list at 100,000+ rows): every row the same height, only the
// rows in view (plus a few) in the DOM, cells as plain text. Why not Naive UI's NDataTable with
// `virtual-scroll`: at 101k customers it spent 100–200 ms per scrolled frame (docs/benchmarks.md, "The
// customer table"): its body walks every row of the data on each render (row infos, an index → key
// object), wraps each visible row in a ResizeObserver and each cell in a component. Here a scroll only
// moves a range of indices, and the ~26 row elements are recycled: a row entering the range takes the
// element of one that left (its texts patched), so even a jump across the list makes no new rows.
// Each row's own key is on it as `data-key`.
//
// What it keeps from the table it replaces: a sticky header with sortable columns (click or Enter:
// descending → ascending → unsorted), columns pinned on the left while the rest scroll sideways, long text
// ellipsised with the full text as the cell's tooltip, a row click, an `empty` slot.
// Deliberately not here: pagination, column resizing, selection, expandable rows, rows of varying height.
import {
  defineComponent,
  h,
  onBeforeUnmount,
  onMounted,
  onUpdated,
  ref,
  shallowRef,
  watch,
  type PropType,
  type VNodeChild,
} from "vue";
import { nextSortOrder, slotCount, slotOf, visibleRows, type SortOrder } from "../logic/virtual";
import "./VirtualTable.css";

/** One column. `text` gives a cell as plain text (the cheap case, with the text as tooltip when
 *  `ellipsis`); `render` gives anything else (a badge) and should stay a plain element, not a component. */
export interface TableColumn<T> {
  key: string;
  title: string;
  width: number;
  /** Pinned on the left: such columns come first in `columns`. */
  fixed?: "left";
  align?: "left" | "center" | "right";
  sortable?: boolean;
  ellipsis?: boolean;
  text?: (row: T) => string;
  render?: (row: T) => VNodeChild;
}

/** Rows above and below the viewport kept rendered, so a brisk scroll never shows an empty band. */
const OVERSCAN = 6;

export default defineComponent({
  name: "VirtualTable",
  props: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of any type; the columns are typed by the caller
    columns: { type: Array as PropType<TableColumn<any>[]>, required: true },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    data: { type: Array as PropType<readonly any[]>, required: true },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    rowKey: { type: Function as PropType<(row: any) => string>, required: true },
    rowHeight: { type: Number, default: 40 },
    maxHeight: { type: String, default: "none" },
    sortKey: { type: String as PropType<string | null>, default: null },
    sortOrder: { type: String as PropType<SortOrder>, default: "descend" },
    /** `data-testid` of every data row (the end-to-end specs find rows by it). */
    rowTestid: { type: String, default: undefined },
  },
  emits: {
    sort: (key: string | null, order: SortOrder | null) => key === null || order !== undefined,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    rowClick: (row: any) => row !== undefined,
  },
  setup(props, { emit, slots }) {
    const scroller = ref<HTMLElement | null>(null);
    const scrollTop = shallowRef(0);
    const viewport = shallowRef(0);
    // The height a row really has in this window (`rowHeight` is what the CSS asks for; a border or a
    // font could add a pixel, and over 100,000 rows the range would drift off the screen).
    const measured = shallowRef(0);
    const measure = () => {
      const row = scroller.value?.querySelector<HTMLElement>("tbody tr:not(.vt-pad)");
      const height = row?.getBoundingClientRect().height ?? 0;
      if (height > 0 && Math.abs(height - measured.value) > 0.01) measured.value = height;
    };
    // Once (a forced layout per scrolled frame would cost more than it tells), then on every resize.
    onUpdated(() => {
      if (!measured.value) measure();
    });
    let observer: ResizeObserver | null = null;

    const onScroll = (e: Event) => {
      scrollTop.value = (e.target as HTMLElement).scrollTop;
    };
    onMounted(() => {
      const el = scroller.value;
      if (!el) return;
      el.addEventListener("scroll", onScroll, { passive: true });
      viewport.value = el.clientHeight;
      measure();
      observer = new ResizeObserver(() => {
        viewport.value = el.clientHeight;
        measure();
      });
      observer.observe(el);
    });
    onBeforeUnmount(() => {
      scroller.value?.removeEventListener("scroll", onScroll);
      observer?.disconnect();
    });
    // A new list (filtered, sorted) starts at its top, as the table before did.
    watch(
      () => props.data,
      () => {
        if (scroller.value) scroller.value.scrollTop = 0;
        scrollTop.value = 0;
      },
    );

    // Left offsets of the pinned columns (sticky cells need them).
    const leftOf = (columns: TableColumn<unknown>[]) => {
      const out: Record<string, number> = {};
      let x = 0;
      for (const c of columns) {
        if (c.fixed !== "left") break;
        out[c.key] = x;
        x += c.width;
      }
      return out;
    };

    const clickSort = (key: string) => {
      const current = props.sortKey === key ? props.sortOrder : null;
      const next = nextSortOrder(current);
      emit("sort", next ? key : null, next);
    };

    return () => {
      const { columns, data } = props;
      const rowHeight = measured.value || props.rowHeight;
      const width = columns.reduce((a, c) => a + c.width, 0);
      const left = leftOf(columns);
      const lastPinned = Object.keys(left).pop();
      const cellStyle = (c: TableColumn<unknown>) =>
        c.key in left ? { left: `${left[c.key]}px`, textAlign: c.align } : c.align ? { textAlign: c.align } : undefined;
      const cellClass = (c: TableColumn<unknown>) =>
        c.key in left ? (c.key === lastPinned ? "vt-pin vt-pin-last" : "vt-pin") : undefined;

      const head = h(
        "thead",
        h(
          "tr",
          columns.map((c) => {
            const order = c.sortable && props.sortKey === c.key ? props.sortOrder : null;
            return h(
              "th",
              {
                key: c.key,
                class: [cellClass(c), c.sortable && "vt-sortable", order && "vt-sorted"],
                style: cellStyle(c),
                "aria-sort": c.sortable ? (order ? `${order}ing` : "none") : undefined,
                tabindex: c.sortable ? 0 : undefined,
                onClick: c.sortable ? () => clickSort(c.key) : undefined,
                onKeydown: c.sortable
                  ? (e: KeyboardEvent) => {
                      if (e.key === "Enter" || e.key === " ") {
                        e.preventDefault();
                        clickSort(c.key);
                      }
                    }
                  : undefined,
              },
              [
                h("span", { class: "vt-title" }, c.title),
                c.sortable
                  ? h("span", { class: "vt-arrow", "aria-hidden": "true" }, order === "ascend" ? "▲" : "▼")
                  : null,
              ],
            );
          }),
        ),
      );

      const { first, end } = visibleRows(scrollTop.value, viewport.value, rowHeight, data.length, OVERSCAN);
      // Rows are keyed by the element that shows them, not by their data: a jump (dragging the bar)
      // refills the same ~26 row elements instead of making new ones (29 ms a frame against 16 ms
      // for a steady scroll, docs/benchmarks.md); a steady scroll still moves only the rows that
      // left the top to the bottom.
      const elements = slotCount(viewport.value, rowHeight, OVERSCAN);
      const body: VNodeChild[] = [];
      const pad = (key: string, rows: number) =>
        rows > 0
          ? h("tr", { key, class: "vt-pad", "aria-hidden": "true" }, [
              h("td", { colspan: columns.length, style: { height: `${rows * rowHeight}px` } }),
            ])
          : null;
      body.push(pad("pad-top", first));
      for (let i = first; i < end; i++) {
        const row = data[i];
        body.push(
          h(
            "tr",
            {
              key: slotOf(i, elements),
              "data-key": props.rowKey(row),
              "data-testid": props.rowTestid,
              onClick: () => emit("rowClick", row),
            },
            columns.map((c) => {
              const text = c.text ? c.text(row) : undefined;
              return h(
                "td",
                {
                  key: c.key,
                  class: cellClass(c),
                  style: cellStyle(c),
                  title: c.ellipsis && text ? text : undefined,
                },
                // A text child is set as the cell's text; anything else goes through the vnode diff.
                text !== undefined ? text : [c.render ? c.render(row) : ""],
              );
            }),
          ),
        );
      }
      body.push(pad("pad-bottom", data.length - end));

      const table = h("table", { class: "vt-table", style: { width: `${width}px` } }, [
        h(
          "colgroup",
          columns.map((c) => h("col", { key: c.key, style: { width: `${c.width}px` } })),
        ),
        head,
        h("tbody", body),
      ]);
      return h(
        "div",
        {
          ref: scroller,
          class: "vt",
          style: { maxHeight: props.maxHeight, "--vt-row": `${props.rowHeight}px` },
        },
        [table, data.length === 0 && slots.empty ? h("div", { class: "vt-empty" }, slots.empty()) : null],
      );
    };
  },
});
