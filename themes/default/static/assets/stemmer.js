// Snowball English stemmer (Porter2), written for guidebook's client-side search; mirrors the
// stemmer tantivy uses on the server side so both engines produce the same terms.
// Follows the current Snowball english.sbl (3.x), including its newer R1 prefixes and the
// rule-based handling of forms like "dying", "innings" and "succeeded".
(function (root) {
  "use strict";

  // Whole words whose stems the suffix rules would get wrong; a word maps to itself when it
  // must be left alone.
  var EXCEPTIONS = {
    skis: "ski", skies: "sky", idly: "idl", gently: "gentl", ugly: "ugli", early: "earli",
    only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe", atlas: "atlas",
    cosmos: "cosmos", bias: "bias", andes: "andes"
  };

  // Prefixes that end R1 early, so e.g. "generous" and "general" keep distinct stems.
  var R1_PREFIXES = ["arsen", "commun", "emerg", "gener", "inter", "later", "organ", "past", "univers"];

  // Step 1b: "-eed" is kept after exactly these stems (succeed, proceed, exceed) ...
  var EED_KEEP = ["succ", "proc", "exc"];
  // ... and "-ing" is kept after exactly these (evening, canning, inning, earring, herring, outing).
  var ING_KEEP = ["even", "cann", "inn", "earr", "herr", "out"];

  // Step 2 and 3 suffix replacements (the longest matching suffix wins; it must lie in R1).
  var STEP2 = {
    tional: "tion", enci: "ence", anci: "ance", abli: "able", entli: "ent", izer: "ize",
    ization: "ize", ational: "ate", ation: "ate", ator: "ate", alism: "al", aliti: "al",
    alli: "al", fulness: "ful", fulli: "ful", ousli: "ous", ousness: "ous", iveness: "ive",
    iviti: "ive", biliti: "ble", bli: "ble", ogist: "og", lessli: "less",
    ogi: "og", // only after "l"
    li: ""     // only after a valid li-ending
  };
  var STEP3 = {
    tional: "tion", ational: "ate", alize: "al", icate: "ic", iciti: "ic", ical: "ic",
    ful: "", ness: "",
    ative: "" // only when also in R2
  };
  // Step 4 suffixes are simply deleted when in R2 ("ion" only after s or t).
  var STEP4 = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
    "ism", "ate", "iti", "ous", "ive", "ize", "ion"];

  function has(list, s) { return list.indexOf(s) >= 0; }

  // "y" counts as a vowel; a "Y" (a y marked as consonant) does not.
  function isVowel(c) { return c.length === 1 && "aeiouy".indexOf(c) >= 0; }

  function containsVowel(s) { return /[aeiouy]/.test(s); }

  function endsWith(w, s) { return w.length >= s.length && w.slice(w.length - s.length) === s; }

  // Longest entry of `suffixes` that ends w, or "" (Snowball's among: no fallback to shorter).
  function longestSuffix(w, suffixes) {
    var best = "";
    for (var i = 0; i < suffixes.length; i++) {
      var s = suffixes[i];
      if (s.length > best.length && endsWith(w, s)) best = s;
    }
    return best;
  }

  // Position just after the first non-vowel that follows a vowel, searching from `from`;
  // w.length when there is none (an empty region).
  function regionStart(w, from) {
    for (var i = from + 1; i < w.length; i++) {
      if (isVowel(w.charAt(i - 1)) && !isVowel(w.charAt(i))) return i + 1;
    }
    return w.length;
  }

  // A short syllable ends w: non-vowel + vowel + non-vowel other than w/x/Y, or vowel +
  // non-vowel as the whole word; Snowball 3 also treats a trailing "past" as one ("pasted").
  function endsShortSyllable(w) {
    var n = w.length;
    if (n >= 3 && "aeiouywxY".indexOf(w.charAt(n - 1)) < 0 &&
        isVowel(w.charAt(n - 2)) && !isVowel(w.charAt(n - 3))) return true;
    if (n === 2 && isVowel(w.charAt(0)) && !isVowel(w.charAt(1))) return true;
    return endsWith(w, "past");
  }

  // Mark a y that acts as a consonant (word-initial, or after a vowel) as "Y" so the vowel
  // tests skip it; scanning left to right means "ayy" becomes "aYy".
  function markConsonantY(w) {
    var out = "";
    for (var i = 0; i < w.length; i++) {
      var c = w.charAt(i);
      if (c === "y" && (i === 0 || isVowel(out.charAt(i - 1)))) c = "Y";
      out += c;
    }
    return out;
  }

  // Step 0 + 1a: drop possessive apostrophes, then plural "-s" forms.
  function step1a(w) {
    var apos = longestSuffix(w, ["'s'", "'s", "'"]);
    if (apos) w = w.slice(0, w.length - apos.length);
    if (endsWith(w, "sses")) return w.slice(0, -2);
    // "ties" -> "tie" but "cries" -> "cri": keep the e when only one letter precedes.
    if (endsWith(w, "ied") || endsWith(w, "ies")) return w.slice(0, -3) + (w.length > 4 ? "i" : "ie");
    if (endsWith(w, "ss") || endsWith(w, "us")) return w;
    // Delete a final s if a vowel occurs before the letter preceding it ("gaps" but not "gas").
    if (endsWith(w, "s") && containsVowel(w.slice(0, -2))) return w.slice(0, -1);
    return w;
  }

  // Step 1b: "-ed", "-ing" and their "-ly" forms, then tidy the exposed stem.
  function step1b(w, p1) {
    var suf = longestSuffix(w, ["eed", "eedly", "ed", "edly", "ing", "ingly"]);
    if (!suf) return w;
    var base = w.slice(0, w.length - suf.length);
    if (suf === "eed" || suf === "eedly") {
      return base.length >= p1 && !has(EED_KEEP, base) ? base + "ee" : w;
    }
    if (suf === "ing") {
      if (has(ING_KEEP, base)) return w;
      if (/^[^aeiouy]y$/.test(base)) return base.charAt(0) + "ie"; // dying, lying, tying
    }
    if (!containsVowel(base)) return w; // "bed", "sing": the suffix is part of the root
    // Tidy the exposed stem: restore a lost e ("luxuriated"), undouble ("hopping" -> "hop",
    // but "added" keeps "add"), or give short words their e back ("hoped" -> "hope").
    if (/(at|bl|iz)$/.test(base)) return base + "e";
    if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(base)) {
      return /^[aeo]..$/.test(base) ? base : base.slice(0, -1);
    }
    return base.length === p1 && endsShortSyllable(base) ? base + "e" : base;
  }

  // Step 1c: a final y after a non-initial consonant becomes i ("cry" -> "cri", not "by").
  function step1c(w) {
    return w.length > 2 && /[^aeiouy][yY]$/.test(w) ? w.slice(0, -1) + "i" : w;
  }

  function step2(w, p1) {
    var suf = longestSuffix(w, Object.keys(STEP2));
    var base = w.slice(0, w.length - suf.length);
    if (!suf || base.length < p1) return w;
    if (suf === "ogi" && !endsWith(base, "l")) return w;
    if (suf === "li" && !/[cdeghkmnrt]$/.test(base)) return w;
    return base + STEP2[suf];
  }

  function step3(w, p1, p2) {
    var suf = longestSuffix(w, Object.keys(STEP3));
    var base = w.slice(0, w.length - suf.length);
    if (!suf || base.length < p1 || (suf === "ative" && base.length < p2)) return w;
    return base + STEP3[suf];
  }

  function step4(w, p2) {
    var suf = longestSuffix(w, STEP4);
    var base = w.slice(0, w.length - suf.length);
    if (!suf || base.length < p2) return w;
    if (suf === "ion" && !/[st]$/.test(base)) return w;
    return base;
  }

  // Step 5: a final e in R2, or in R1 unless it follows a short syllable; "ll" in R2.
  function step5(w, p1, p2) {
    var n = w.length - 1, base = w.slice(0, n), last = w.charAt(n);
    if (last === "e" && (n >= p2 || (n >= p1 && !endsShortSyllable(base)))) return base;
    if (last === "l" && n >= p2 && endsWith(base, "l")) return base;
    return w;
  }

  function stem(word) {
    if (Object.prototype.hasOwnProperty.call(EXCEPTIONS, word)) return EXCEPTIONS[word];
    if (word.length < 3) return word;

    var unmarked = word.charAt(0) === "'" ? word.slice(1) : word;
    var w = markConsonantY(unmarked);
    var markedY = w !== unmarked;

    // R1 starts after the first vowel-consonant pair (or a listed prefix); R2 likewise in R1.
    var p1 = -1;
    for (var i = 0; i < R1_PREFIXES.length && p1 < 0; i++) {
      if (w.indexOf(R1_PREFIXES[i]) === 0) p1 = R1_PREFIXES[i].length;
    }
    if (p1 < 0) p1 = regionStart(w, 0);
    var p2 = regionStart(w, p1);

    w = step1a(w);
    w = step1b(w, p1);
    w = step1c(w);
    w = step2(w, p1);
    w = step3(w, p1, p2);
    w = step4(w, p2);
    w = step5(w, p1, p2);
    return markedY ? w.replace(/Y/g, "y") : w; // undo the consonant-y marking
  }

  root.guidebookStem = stem;
  if (typeof module !== "undefined" && module.exports) { module.exports = stem; }
})(typeof window !== "undefined" ? window : globalThis);
