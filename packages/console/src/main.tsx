import { render } from "preact";
import { App } from "./app.tsx";
import "./styles.css";

const root = document.getElementById("app")!;
// The page's static shell painted first; the app takes over from it.
root.textContent = "";
render(<App />, root);
