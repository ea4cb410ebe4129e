"""Synthetic 政法 corpora with a planted, known trend of a digital/technology theme.

The generator draws every body sentence either from :data:`DIGITAL_SENTENCES` (the "数字政法" /
"科技手段现代化" theme) or from :data:`OTHER_SENTENCES` (平安建设, 法治建设, 枫桥经验, 队伍建设 …).
The probability that a sentence is digital rises linearly from 0.10 in the first year to 0.40 in
the last, so a trend analysis run on the corpus has a known answer: ``truth.tsv`` records both the
planted probability and the share that was actually realised.

Documents look like scraped articles: a headline, a ``发布时间:YYYY-MM-DD`` line, paragraphs of
three to six sentences and, with ``noise=True``, page chrome that :func:`zhengfa_trends.clean.clean_text`
removes and bodies that are repeated twice.  A share of the documents can be converted to
traditional script.  Everything is drawn from one ``random.Random(seed)``, so the same arguments
give byte-identical files.

Command line::

    python -m zhengfa_trends.synthetic OUT_DIR --docs 2000 --seed 7 --years 2021-2025 [--traditional-share 0.1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

# Terms that mark a sentence as belonging to the digital/technology theme.  Every digital sentence
# holds at least one of them; no other sentence holds any.
DIGITAL_TERMS: tuple[str, ...] = (
    "数字政法",
    "科技手段现代化",
    "智慧法院",
    "大数据",
    "人工智能",
    "数字化改革",
    "数字赋能",
    "信息化",
    "政法智能化",
    "跨部门协同办案系统",
    "区块链",
    "现代科技",
    "数字",
    "科技",
    "智能",
    "智慧",
    "数据",
    "网络",
    "线上",
)

DIGITAL_SENTENCES: tuple[str, ...] = (
    "深入推进数字政法建设，以数字赋能提升执法司法质效和公信力。",
    "各级政法机关坚持科技手段现代化，推动业务流程整体重塑。",
    "智慧法院建设持续深化，网上立案和电子送达已覆盖全部基层法院。",
    "运用大数据分析研判社会治安形势，提升风险预警的精准度。",
    "积极探索人工智能辅助办案，为法官检察官减轻事务性工作负担。",
    "全面推进政法领域数字化改革，打通部门之间的业务壁垒。",
    "加快政法信息化基础设施建设，构建统一高效的政法专网。",
    "政法智能化建设取得新进展，智能语音识别广泛应用于庭审记录。",
    "跨部门协同办案系统上线运行，实现案件材料网上流转和全程留痕。",
    "利用区块链技术固定电子证据，有效解决存证难和取证难问题。",
    "坚持向现代科技要警力，把科技创新成果转化为维护稳定的实际能力。",
    "以数字政法建设为牵引，推动公检法司数据资源互联互通。",
    "依托大数据平台开展类案检索，促进统一法律适用标准。",
    "智慧检务建设稳步推进，检察业务应用系统实现全面升级。",
    "推进智慧监狱建设，运用物联网技术提升监管安全水平。",
    "通过数字赋能基层治理，网格员可以在移动终端实时上报矛盾隐患。",
    "建设政法大数据中心，为党委政法委统筹决策提供有力支撑。",
    "人工智能与司法审判深度融合，庭审效率和裁判质量同步提升。",
    "数字化改革倒逼政法工作理念、机制和方法的系统性变革。",
    "全面提升政法信息化水平，推动执法办案由线下向线上转变。",
    "科技手段现代化是政法工作现代化的重要支撑和必由之路。",
    "智慧法院为人民群众提供全天候、零距离、无障碍的诉讼服务。",
    "依托跨部门协同办案系统，刑事案件平均办理周期明显缩短。",
    "探索区块链电子存证平台建设，增强司法数据的安全性和可信度。",
    "运用现代科技手段破解执行难，网络查控系统覆盖主要金融机构。",
    "以政法智能化建设推动执法司法活动全流程在线监督。",
    "数字政法建设要坚持需求导向，防止重建设轻应用的倾向。",
    "利用大数据模型精准识别电信网络诈骗高风险人群并及时劝阻。",
    "人工智能技术在社区矫正对象动态监管中发挥了积极作用。",
    "加强数字赋能，推动公共法律服务实体、热线、网络三大平台融合发展。",
    "智慧公安建设提速，视频监控联网应用水平和大数据研判能力不断提高。",
    "政法数据共享交换平台建成运行，为协同办案提供了技术保障。",
    "坚持把信息化作为政法工作的重要引擎，加快补齐基础短板。",
    "数字化改革要以群众需求为导向，让数据多跑路、群众少跑腿。",
    "推动电子卷宗随案同步生成和深度应用，提升政法信息化办案能力。",
    "大数据赋能社会治安防控体系建设，打击犯罪更加精准高效。",
    "政法智能化应用场景不断拓展，智能辅助量刑已在多地试点。",
    "以现代科技提升政法工作现代化水平，是适应时代发展的必然要求。",
    "在线诉讼规则不断完善，智慧法院建设成果惠及更多当事人。",
    "依托区块链技术实现执法办案全程可追溯、可核查。",
    "推进数字政法与平安建设深度融合，打造智能高效的社会治理新模式。",
    "加强网络安全和数据安全保护，确保政法信息化系统安全可靠运行。",
    "科技手段现代化建设要统筹规划，避免各自为政和重复投入。",
    "运用人工智能开展文书自动纠错，减少裁判文书低级差错。",
    "数字赋能矛盾纠纷化解，群众足不出户即可申请线上调解。",
    "推动跨部门协同办案系统向基层延伸，实现县域全覆盖。",
    "各地积极建设智慧司法行政平台，提升法律服务的便捷性。",
    "以大数据手段加强执法监督，及时发现和纠正执法不规范问题。",
)

OTHER_SENTENCES: tuple[str, ...] = (
    "坚持和发展新时代枫桥经验，把矛盾纠纷化解在基层、消除在萌芽状态。",
    "深入推进平安中国建设，不断增强人民群众的获得感、幸福感、安全感。",
    "全面推进法治建设，坚持法治国家、法治政府、法治社会一体建设。",
    "常态化开展扫黑除恶斗争，依法严惩群众反映强烈的违法犯罪。",
    "加强政法队伍建设，锻造忠诚干净担当的新时代政法铁军。",
    "健全矛盾纠纷多元化解机制，推动人民调解、行政调解、司法调解联动。",
    "深化政法领域改革，完善司法责任制综合配套改革措施。",
    "坚决维护国家政治安全，严密防范和严厉打击各类渗透破坏活动。",
    "坚持党对政法工作的绝对领导，确保政法工作始终沿着正确方向前进。",
    "扎实开展政法队伍教育整顿，持续推进全面从严管党治警。",
    "推动扫黑除恶向纵深发展，深挖彻查黑恶势力背后的保护伞。",
    "各级综治中心实体化运行，成为化解基层矛盾的重要阵地。",
    "坚持宽严相济刑事政策，依法适用认罪认罚从宽制度。",
    "加强社会治安整体防控，严厉打击盗抢骗等多发性侵财犯罪。",
    "深化执法司法责任体系改革，让人民群众在每一个司法案件中感受到公平正义。",
    "枫桥经验历久弥新，关键在于依靠群众就地化解矛盾。",
    "推进更高水平的平安建设，着力防范化解重大风险隐患。",
    "完善公共法律服务体系，让群众随时随地获得法律帮助。",
    "国家安全是民族复兴的根基，社会稳定是国家强盛的前提。",
    "严格落实防止干预司法“三个规定”，营造风清气正的执法环境。",
    "持续深化政法改革，推动审判权和执行权相分离的体制改革试点。",
    "加强基层人民法庭建设，更好服务乡村振兴和基层社会治理。",
    "建立健全行业性专业性人民调解组织，及时化解物业、医疗等领域纠纷。",
    "坚持以人民为中心的发展思想，把群众满意作为检验政法工作的标准。",
    "加强对政法干警的教育管理监督，坚决清除害群之马。",
    "扫黑除恶常态化要建立长效机制，防止黑恶势力死灰复燃。",
    "深入开展法治宣传教育，推动全社会形成尊法学法守法用法的良好氛围。",
    "推进市域社会治理现代化试点，探索具有地方特色的治理新路径。",
    "加强国家安全人民防线建设，提高全民国家安全意识。",
    "坚持把非诉讼纠纷解决机制挺在前面，从源头上减少诉讼增量。",
    "健全社会矛盾风险排查预警机制，做到早发现、早报告、早处置。",
    "加强执法规范化建设，做到严格规范公正文明执法。",
    "政法机关要主动服务高质量发展，营造稳定公平透明的法治化营商环境。",
    "深化律师制度改革，依法保障律师执业权利和合法权益。",
    "持续推进刑罚执行一体化建设，提升监狱和社区矫正工作水平。",
    "大力弘扬英雄模范精神，激励政法干警担当作为、奋勇争先。",
    "严格落实平安建设领导责任制，压紧压实各级党委政府责任。",
    "推动矛盾纠纷多元化解，形成党委领导、政府主导、社会协同的工作格局。",
    "深入推进反腐败斗争，坚决查处政法机关内部的违纪违法问题。",
    "完善国家安全法治体系，健全国家安全审查和监管制度。",
    "严厉打击跨境赌博、非法集资等突出违法犯罪活动，守护群众财产安全。",
    "加强未成年人司法保护，预防和减少未成年人违法犯罪。",
    "持续开展信访积案化解攻坚，推动群众合理诉求依法及时解决。",
    "深入推进政法队伍专业化职业化建设，提升干警依法履职能力。",
    "全面落实行政执法责任制，加大对关系群众切身利益领域的执法力度。",
    "法治是最好的营商环境，政法机关要依法平等保护各类市场主体。",
    "坚持发展枫桥经验，推广村级调委会和乡贤调解工作室等做法。",
    "加强对特殊人群的服务管理，落实社区矫正和安置帮教措施。",
    "推进平安乡村建设，深入开展农村治安突出问题专项整治。",
    "坚持依法治国和以德治国相结合，推动法治和德治相互促进。",
    "深化司法体制综合配套改革，全面准确落实司法责任制。",
    "严厉打击危害国家安全的违法犯罪活动，切实维护政权安全和制度安全。",
    "扫黑除恶斗争要坚持打早打小，对苗头性问题露头就打。",
    "加强政法领域党风廉政建设，持之以恒正风肃纪反腐。",
    "强化涉法涉诉信访工作，推动依法终结机制有效落实。",
    "夯实平安建设的基层基础，建强用好群防群治力量。",
    "深化法治乡村建设，培养农村学法用法示范户和法律明白人。",
    "政法改革要聚焦群众反映强烈的突出问题，增强改革的针对性。",
    "健全完善诉调对接工作机制，促进纠纷快速公正化解。",
    "抓好政法干警政治轮训，不断提高政治判断力、政治领悟力、政治执行力。",
    "严格规范减刑、假释、暂予监外执行工作，确保刑罚执行公平公正。",
    "推动形成共建共治共享的社会治理格局，实现政府治理和社会调节良性互动。",
    "坚持总体国家安全观，统筹发展和安全两件大事。",
    "加强反恐怖斗争，保持对暴力恐怖活动的严打高压态势。",
    "持续深化公安执法规范化建设，全面推行执法全过程记录制度。",
    "坚持严格公正司法，努力让人民群众在每一个案件中感受到公平正义。",
)

# Headlines are built from neutral parts so that they never carry the digital theme.
_REGIONS: tuple[str, ...] = (
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "浙江省",
    "江苏省",
    "广东省",
    "四川省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "福建省",
    "甘肃省",
    "云南省",
    "陕西省",
)
_HEADLINE_TAILS: tuple[str, ...] = (
    "召开政法工作会议",
    "部署年度平安建设重点任务",
    "通报政法队伍建设工作情况",
    "召开矛盾纠纷多元化解工作推进会",
    "举办法治建设专题培训班",
    "推进扫黑除恶斗争常态化",
    "召开政法领域改革推进会",
    "开展国家安全宣传教育活动",
    "总结推广新时代枫桥经验",
    "部署执法司法规范化建设",
)
SOURCES: tuple[str, ...] = ("法治日报", "长安网", "人民法院报", "检察日报", "人民公安报")

CHROME_BREADCRUMB = "您的位置:首页 >> 政法要闻"
CHROME_COPYRIGHT = "本网站所有内容属《法治日报》所有,未经许可不得转载。"
CHROME_RAIL = "|"

FIRST_SHARE = 0.10
LAST_SHARE = 0.40
DUPLICATE_BODY_RATE = 0.10
TRUTH_COLUMNS = ["year", "planted_share", "realised_share", "n_docs", "n_sentences"]
METADATA_COLUMNS = ["doc_id", "date", "title", "source"]


def planted_shares(years: tuple[int, int]) -> dict[int, float]:
    """Planted probability that a sentence is digital, per year.

    Parameters
    ----------
    years : tuple of int
        First and last year, inclusive.

    Returns
    -------
    dict
        ``{year: probability}``, rising linearly from 0.10 in the first year to 0.40 in the last
        (a single year gets 0.10).
    """
    first, last = years
    span = last - first
    return {
        year: round(FIRST_SHARE + (LAST_SHARE - FIRST_SHARE) * ((year - first) / span if span else 0.0), 6)
        for year in range(first, last + 1)
    }


def _paragraph_sizes(n_sentences: int, rng: random.Random) -> list[int]:
    """Split ``n_sentences`` (at least 3) into paragraphs of 3 to 6 sentences."""
    sizes: list[int] = []
    remaining = n_sentences
    while remaining:
        if remaining <= 6:
            size = remaining
        else:
            size = rng.randint(3, min(6, remaining - 3))
        sizes.append(size)
        remaining -= size
    return sizes


class _Deck:
    """Draws bank sentences without repetition until the bank is used up, then reshuffles."""

    def __init__(self, bank: Sequence[str], rng: random.Random) -> None:
        self._bank = list(bank)
        self._rng = rng
        self._cards: list[str] = []

    def draw(self) -> str:
        if not self._cards:
            self._cards = self._rng.sample(self._bank, len(self._bank))
        return self._cards.pop()


def _random_date(year: int, rng: random.Random) -> dt.date:
    """A uniformly drawn valid date in ``year``."""
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    return start + dt.timedelta(days=rng.randrange(days))


def _render_document(
    headline: str, date: dt.date, paragraphs: list[str], noise: bool, rng: random.Random
) -> str:
    """Assemble the text of one document, with page chrome and a repeated body if ``noise``."""
    lines: list[str] = []
    if noise and rng.random() < 0.6:
        lines.append(CHROME_BREADCRUMB)
    lines += [headline, f"发布时间:{date.isoformat()}", ""]
    body: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        if number:
            body.append("")
        body.append(paragraph)
    if noise:
        if rng.random() < 0.3:
            body.insert(rng.randrange(len(body) + 1), CHROME_RAIL)
        if rng.random() < DUPLICATE_BODY_RATE:
            body = body + [""] + body
    lines += body
    if noise and rng.random() < 0.7:
        lines += ["", CHROME_COPYRIGHT]
    return "\n".join(lines) + "\n"


def make_corpus(
    out_dir: str | Path,
    n_docs: int = 1000,
    years: tuple[int, int] = (2021, 2025),
    seed: int = 7,
    min_sentences: int = 20,
    max_sentences: int = 50,
    traditional_share: float = 0.0,
    noise: bool = True,
) -> pd.DataFrame:
    """Write a synthetic corpus with a planted digital-theme trend and return its truth table.

    Document ``i`` (0-based, id ``syn_000000`` …) gets year ``years[0] + i % n_years``, a random
    valid date in that year, a neutral headline and ``min_sentences`` to ``max_sentences`` body
    sentences.  Each sentence is digital with the planted probability of its year (0.10 in the
    first year rising linearly to 0.40 in the last), else drawn from the other bank.

    Parameters
    ----------
    out_dir : str or Path
        Output folder; ``docs/``, ``metadata.tsv`` and ``truth.tsv`` are written inside it.
        Earlier ``docs/syn_*.txt`` files there are removed first.
    n_docs : int
        Number of documents (at least 1).
    years : tuple of int
        First and last year, inclusive.
    seed : int
        Seed of the one ``random.Random`` that drives every choice.
    min_sentences, max_sentences : int
        Range of body sentences per document (``3 <= min_sentences <= max_sentences``).
    traditional_share : float
        Share of documents (0 to 1) converted to traditional script with OpenCC ``s2t``.
    noise : bool
        Add page chrome lines (breadcrumb, copyright notice, ``|`` rails) and repeat the whole
        body twice in about 10 % of the documents.

    Returns
    -------
    pandas.DataFrame
        The truth table, also written to ``truth.tsv``: ``year``, ``planted_share``,
        ``realised_share`` (digital sentences / all sentences of the year, counting a repeated
        body once), ``n_docs``, ``n_sentences``.

    Notes
    -----
    ``metadata.tsv`` (``doc_id``, ``date``, ``title``, ``source``) leaves ``date`` empty for half of
    the documents, whose date is then only in the ``发布时间:`` line of the text.  The same
    arguments always give byte-identical files.
    """
    first, last = (int(years[0]), int(years[1]))
    if last < first:
        raise ValueError(f"years must be (first, last) with first <= last, got {years!r}")
    if n_docs < 1:
        raise ValueError(f"n_docs must be at least 1, got {n_docs}")
    if not 3 <= min_sentences <= max_sentences:
        raise ValueError(f"need 3 <= min_sentences <= max_sentences, got {min_sentences}, {max_sentences}")
    if not 0.0 <= traditional_share <= 1.0:
        raise ValueError(f"traditional_share must lie in [0, 1], got {traditional_share}")

    rng = random.Random(seed)
    shares = planted_shares((first, last))
    n_years = last - first + 1
    width = max(6, len(str(n_docs - 1)))
    doc_ids = [f"syn_{i:0{width}d}" for i in range(n_docs)]
    undated = set(rng.sample(range(n_docs), n_docs // 2))
    traditional = set(rng.sample(range(n_docs), round(traditional_share * n_docs)))
    converter = None
    if traditional:
        import opencc

        converter = opencc.OpenCC("s2t")

    out = Path(out_dir)
    docs_dir = out / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(docs_dir.glob("syn_*.txt")):
        stale.unlink()

    digital = _Deck(DIGITAL_SENTENCES, rng)
    other = _Deck(OTHER_SENTENCES, rng)
    counts = {year: [0, 0, 0] for year in shares}  # docs, sentences, digital sentences
    metadata: list[dict[str, str]] = []
    for i, doc_id in enumerate(doc_ids):
        year = first + i % n_years
        date = _random_date(year, rng)
        headline = rng.choice(_REGIONS) + rng.choice(_HEADLINE_TAILS)
        source = rng.choice(SOURCES)
        n_sentences = rng.randint(min_sentences, max_sentences)
        sentences: list[str] = []
        n_digital = 0
        for _ in range(n_sentences):
            if rng.random() < shares[year]:
                sentences.append(digital.draw())
                n_digital += 1
            else:
                sentences.append(other.draw())
        paragraphs: list[str] = []
        start = 0
        for size in _paragraph_sizes(n_sentences, rng):
            paragraphs.append("".join(sentences[start : start + size]))
            start += size
        text = _render_document(headline, date, paragraphs, noise, rng)
        if converter is not None and i in traditional:
            text = converter.convert(text)
            headline = converter.convert(headline)
        (docs_dir / f"{doc_id}.txt").write_bytes(text.encode("utf-8"))
        metadata.append(
            {
                "doc_id": doc_id,
                "date": "" if i in undated else date.isoformat(),
                "title": headline,
                "source": source,
            }
        )
        tally = counts[year]
        tally[0] += 1
        tally[1] += n_sentences
        tally[2] += n_digital

    pd.DataFrame(metadata, columns=METADATA_COLUMNS).to_csv(
        out / "metadata.tsv", sep="\t", index=False, lineterminator="\n"
    )
    truth = pd.DataFrame(
        [
            {
                "year": year,
                "planted_share": shares[year],
                "realised_share": round(digital_n / sentence_n, 6) if sentence_n else float("nan"),
                "n_docs": doc_n,
                "n_sentences": sentence_n,
            }
            for year, (doc_n, sentence_n, digital_n) in sorted(counts.items())
        ],
        columns=TRUTH_COLUMNS,
    )
    truth.to_csv(out / "truth.tsv", sep="\t", index=False, lineterminator="\n")
    return truth


def _parse_years(value: str) -> tuple[int, int]:
    """Parse ``"2021-2025"`` (or a single ``"2023"``) into ``(first, last)``."""
    parts = value.split("-")
    try:
        if len(parts) == 1:
            return int(parts[0]), int(parts[0])
        if len(parts) == 2:
            return int(parts[0]), int(parts[1])
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"years must look like 2021-2025, got {value!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see the module docstring.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` if omitted.

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m zhengfa_trends.synthetic",
        description="Write a synthetic 政法 corpus with a planted digital-theme trend.",
    )
    parser.add_argument("out_dir", type=Path, help="output folder (docs/, metadata.tsv, truth.tsv)")
    parser.add_argument("--docs", type=int, default=1000, help="number of documents (default 1000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--years", type=_parse_years, default=(2021, 2025), help="year range, e.g. 2021-2025")
    parser.add_argument("--min-sentences", type=int, default=20, help="fewest body sentences per document")
    parser.add_argument("--max-sentences", type=int, default=50, help="most body sentences per document")
    parser.add_argument(
        "--traditional-share", type=float, default=0.0, help="share of documents in traditional script"
    )
    parser.add_argument("--no-noise", action="store_true", help="no page chrome and no repeated bodies")
    args = parser.parse_args(argv)
    try:
        truth = make_corpus(
            args.out_dir,
            n_docs=args.docs,
            years=args.years,
            seed=args.seed,
            min_sentences=args.min_sentences,
            max_sentences=args.max_sentences,
            traditional_share=args.traditional_share,
            noise=not args.no_noise,
        )
    except ValueError as error:
        parser.error(str(error))
    sys.stdout.write(truth.to_csv(sep="\t", index=False, lineterminator="\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
