// Table cells narrower than their longest word, and words or numbers broken across lines.
// Returns one line per fault: "<page part>: <word>" (empty when the tables read well).
() => {
  const faults = [];
  const token = /[A-Za-z0-9][A-Za-z0-9:._,\/%@#+]*[A-Za-z0-9%]|[0-9]/g;  // hyphens may break
  const lineCount = (range) => {
    const tops = new Set();
    for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    return tops.size;
  };
  for (const cell of document.querySelectorAll("main td, main th")) {
    if (!cell.offsetParent) continue;  // hidden (a closed <details>)
    if (cell.scrollWidth > cell.clientWidth + 1) {
      faults.push(`overflowing cell: ${cell.textContent.trim().slice(0, 40)}`);
    }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(token)) {
        if (/^[a-z]+:\/\//.test(node.data.slice(match.index))) continue;  // a URL breaks at its slashes
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        if (lineCount(range) > 1) faults.push(`broken word: ${match[0]}`);
      }
    }
  }
  return faults;
}
