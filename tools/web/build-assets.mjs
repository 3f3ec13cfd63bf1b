// Regenerates the static assets of the Lahja web page (src/Lahja.Server/wwwroot) from npm packages, so that the page
// needs no network: the Arab-world map (Natural Earth via world-atlas, projected to SVG paths here once, so the
// browser needs no map library) and the offline API docs UI (swagger-ui-dist).
//   cd tools/web && npm ci && npm run build
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";
import { geoBounds, geoConicEqualArea, geoPath, geoArea } from "d3-geo";

const here = dirname(fileURLToPath(import.meta.url));
const wwwroot = join(here, "..", "..", "src", "Lahja.Server", "wwwroot");
const modules = join(here, "node_modules");

// The 18 NADI dialect countries: ISO 3166-1 alpha-2 (Lahja's codes) by the numeric ids world-atlas uses.
const dialects = {
  "012": "DZ", "048": "BH", "818": "EG", "368": "IQ", "400": "JO", "414": "KW", "422": "LB", "434": "LY", "504": "MA",
  "512": "OM", "275": "PS", "634": "QA", "682": "SA", "729": "SD", "760": "SY", "788": "TN", "784": "AE", "887": "YE",
};

function buildMap() {
  const atlas = JSON.parse(readFileSync(join(modules, "world-atlas", "countries-50m.json"), "utf8"));
  const all = feature(atlas, atlas.objects.countries).features;
  const arab = all.filter(f => dialects[f.id]);
  const missing = Object.keys(dialects).filter(id => !arab.some(f => f.id === id));
  if (missing.length) throw new Error(`world-atlas lacks ${missing.join(", ")}`);
  const width = 960, height = 540, margin = 32;
  // Equal-area: no country looks larger than it is, which matters when colour stands for probability.
  const projection = geoConicEqualArea().parallels([15, 35]).rotate([-20, 0])
    // A margin around the 18 countries, so that none touches the frame (Morocco and Oman reach its sides).
    .fitExtent([[margin, margin], [width - margin, height - margin]], { type: "FeatureCollection", features: arab });
  projection.clipExtent([[0, 0], [width, height]]);
  const path = geoPath(projection).digits(1);
  // Neighbours: every other country whose bounds touch the map's view, drawn grey for context.
  const [[west, south], [east, north]] = [[-25, 0], [70, 45]];
  const neighbours = all.filter(f => !dialects[f.id]).filter(f => {
    const [[w, s], [e, n]] = geoBounds(f);
    return e >= west && w <= east && n >= south && s <= north && w <= e;
  });
  const shape = f => {
    const d = path(f);
    return d ? { name: f.properties.name, d } : null;
  };
  const countries = arab.map(f => ({
    iso: dialects[f.id],
    ...shape(f),
    centroid: path.centroid(f).map(v => Math.round(v * 10) / 10),
    // Tiny countries (Bahrain, Qatar, Lebanon, …) also get a marker so their colour can be seen and clicked.
    small: path.area(f) < 400,
  })).sort((a, b) => a.iso.localeCompare(b.iso));
  const map = {
    source: "Natural Earth 1:50m admin-0 countries (public domain) via the world-atlas npm package (ISC), projected by tools/web/build-assets.mjs",
    width, height,
    countries,
    neighbours: neighbours.map(shape).filter(Boolean),
  };
  mkdirSync(join(wwwroot, "map"), { recursive: true });
  writeFileSync(join(wwwroot, "map", "arab-world.json"), JSON.stringify(map));
  writeFileSync(join(wwwroot, "map", "LICENSE.txt"),
    "arab-world.json: country shapes from Natural Earth (https://www.naturalearthdata.com/), 1:50m Admin 0 - Countries,\n" +
    "which is in the public domain, as packaged in TopoJSON by the world-atlas npm package (version " +
    JSON.parse(readFileSync(join(modules, "world-atlas", "package.json"), "utf8")).version + "),\n" +
    "projected to SVG paths by tools/web/build-assets.mjs. world-atlas's licence follows.\n\n" +
    readFileSync(join(modules, "world-atlas", "LICENSE"), "utf8"));
  console.log(`map: ${countries.length} dialect countries, ${map.neighbours.length} neighbours`);
}

function copyDocsUi() {
  const from = join(modules, "swagger-ui-dist");
  const to = join(wwwroot, "docs", "swagger-ui");
  mkdirSync(to, { recursive: true });
  for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-bundle.js.LICENSE.txt"])
    copyFileSync(join(from, file), join(to, file));
  // .txt: the static file server only serves known file types.
  copyFileSync(join(from, "LICENSE"), join(to, "LICENSE.txt"));
  copyFileSync(join(from, "NOTICE"), join(to, "NOTICE.txt"));
  writeFileSync(join(to, "VERSION.txt"), "swagger-ui-dist " + JSON.parse(readFileSync(join(from, "package.json"), "utf8")).version + "\n");
  console.log("docs: swagger-ui-dist copied");
}

buildMap();
copyDocsUi();
