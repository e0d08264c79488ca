"""How to cite govkg or one of its entities: a formatted line in the page's language and
the same reference as BibTeX, CSL-JSON and RIS (what Zotero, Mendeley and EndNote import).

Every citation names the source article, since every fact comes from it; the licence is
the data's (CC BY 4.0). The access date is the day the citation is made, as styles ask
for web sources.
"""

import json
import re
from dataclasses import dataclass
from datetime import date

from govkg import __version__
from govkg.vocab import ID

ARTICLE_ZH = "中国省级第一梯队“数字政府”建设路线一览"
ARTICLE_EN = ("An overview of the “digital government” building routes of China's first-tier"
              " provinces")
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
FORMATS = {"bib": "application/x-bibtex", "json": "application/vnd.citationstyles.csl+json",
           "ris": "application/x-research-info-systems"}


@dataclass(frozen=True)
class Citation:
    title: str  # the entity's name (or govkg's) in the page's language
    iri: str
    lang: str
    accessed: date

    @property
    def key(self) -> str:
        """``govkg-<slug>`` for an entity, ``govkg-dataset`` for govkg as a whole."""
        if not self.iri.startswith(ID):
            return "govkg-dataset"
        tail = re.sub(r"[^A-Za-z0-9]+", "-", self.iri.rstrip("/").rpartition("/")[2]).strip("-")
        return f"govkg-{tail or 'dataset'}"

    def text(self) -> str:
        """The formatted citation, as a reference list prints it."""
        day = self.accessed.isoformat()
        if self.lang == "zh":
            return (f"govkg. {self.title} [数据集]. 版本 {__version__}. {self.iri}. "
                    f"来源：《{ARTICLE_ZH}》（2019）. 许可：{LICENCE}. 访问日期：{day}.")
        return (f"govkg. {self.title} [dataset]. Version {__version__}. {self.iri}. "
                f"Source: 《{ARTICLE_ZH}》 ({ARTICLE_EN}, 2019). Licence: {LICENCE}. "
                f"Accessed {day}.")

    def note(self) -> str:
        return f"From the article 《{ARTICLE_ZH}》 (2019); licence {LICENCE}"

    def bibtex(self) -> str:
        def esc(text: str) -> str:
            return re.sub(r"([{}\\&%$#_])", r"\\\1", text)
        fields = [("author", "{govkg}"), ("title", esc(self.title)),
                  ("howpublished", f"\\url{{{self.iri}}}"), ("version", __version__),
                  ("note", esc(self.note())), ("urldate", self.accessed.isoformat())]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{self.key},\n{body}\n}}\n"

    def csl_json(self) -> str:
        item = {"id": self.key, "type": "dataset", "title": self.title, "author":
                [{"literal": "govkg"}], "URL": self.iri, "version": __version__,
                "note": self.note(), "license": LICENCE_URL, "accessed":
                {"date-parts": [[self.accessed.year, self.accessed.month, self.accessed.day]]}}
        return json.dumps([item], ensure_ascii=False, indent=2) + "\n"

    def ris(self) -> str:
        lines = [("TY", "DATA"), ("AU", "govkg"), ("TI", self.title), ("UR", self.iri),
                 ("ET", __version__), ("N1", self.note()),
                 ("Y2", self.accessed.strftime("%Y/%m/%d")), ("ER", "")]
        return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)

    def as_format(self, ext: str) -> str:
        return {"bib": self.bibtex, "json": self.csl_json, "ris": self.ris}[ext]()
