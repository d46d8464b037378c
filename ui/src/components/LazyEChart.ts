// EChart, loaded after the first paint: ECharts is the largest module of the UI, and the tiers screen
// (what a start shows) should not wait for it to be parsed before its cards appear. Holds the chart's
// height meanwhile, so nothing below it moves when the chart arrives.
import { defineAsyncComponent, defineComponent, h } from "vue";

const EChart = defineAsyncComponent(() => import("./EChart.vue"));

export default defineComponent({
  name: "LazyEChart",
  props: {
    option: { type: Object, required: true },
    height: { type: String, default: "280px" },
  },
  setup(props) {
    return () =>
      h("div", { style: { minHeight: props.height } }, [h(EChart, { option: props.option, height: props.height })]);
  },
});
