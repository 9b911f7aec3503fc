// The one stable entry of the embeddable widget:
//   <script type="module" src="https://ops.example.com/widget/opsux-widget.js"></script>
// It starts the widget's WebAssembly from beside itself; the wasm then mounts into every
// element carrying data-opsux-active-ops, linking its stylesheets from this same folder.
import init from './opsux-widget-core.js';

globalThis.__opsuxWidgetAssets = new URL('./', import.meta.url).href;
await init({ module_or_path: new URL('./opsux-widget-core_bg.wasm', import.meta.url) });
