// Visible text not in the page's language: on a Chinese page, English words outside any
// element marked lang="en" (or code); on an English page, Chinese characters outside any
// element marked lang="zh". Data labels carry their own lang, so a label the data has only
// in the other language is marked as such and passes. Returns "text" per fault.
() => {
  const page = document.documentElement.lang;
  const names = /^(govkg|SPARQL|JSON|JSON-LD|Turtle|TriG|CSV|TSV|XML|RDF|RDF\/XML|N-Triples|N-Quads|VoID|DCAT|SHACL|OWL|RL|IRI|BibTeX|CSL-JSON|RIS|CC|BY|SHA-256|UTC|HTML|gzip|curl|Python|JavaScript|SPARQLWrapper|fetch|English|ms|sitemap|xml|If-None-Match|If-Modified-Since|Ctrl|Space|Enter|App|APP)$/;
  const skip = "code, pre, kbd, samp, script, style, textarea, .cm-editor, .datatype, .lang, svg title, [hidden], .visually-hidden, nav.languages";
  const faults = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !node.data.trim()) continue;
    if (!parent.checkVisibility || !parent.checkVisibility()) continue;
    const lang = ((parent.closest("[lang]") || document.documentElement).getAttribute("lang") || "").slice(0, 2);
    if (lang !== page) continue;  // marked as the other language on purpose
    // Titles of works (《…》) and, on English pages, quoted Chinese (“北京通”, a search for
    // “政务”) are quotations, not untranslated text.
    const text = node.data.trim().replace(/《[^》]*》/g, "").replace(page === "en" ? /“[^”]*”/g : /$^/, "");
    if (page === "zh") {
      const words = (text.match(/[A-Za-z][A-Za-z/+-]*[A-Za-z]/g) || []).filter((w) => !names.test(w) && w !== w.toUpperCase());
      // prefixed names (gk:Province) and IRIs are names, not English
      const stripped = text.replace(/\b[a-zA-Z][\w.-]*:[\w./#:%-]*/g, "").replace(/https?:\/\/\S+/g, "").replace(/\bgraph\/\w+/g, "");
      if (words.length && (stripped.match(/[A-Za-z]{3,}/g) || []).some((w) => !names.test(w) && w !== w.toUpperCase())) faults.push(text.slice(0, 80));
    } else if (/[\u3400-\u9fff]/.test(text)) {
      faults.push(text.slice(0, 80));
    }
  }
  return [...new Set(faults)];
}
