import { mount } from "svelte";
import App from "./App.svelte";

const target = document.getElementById("app")!;
try {
  mount(App, { target });
} catch (e) {
  // A window that cannot start says why instead of staying blank.
  target.textContent = `Matchcut could not start its window: ${e}`;
  throw e;
}
