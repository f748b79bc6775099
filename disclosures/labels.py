"""Field and sheet names in English and Japanese, and the Japanese words accepted for enumerated values."""

LABELS = {
    "researcher_id": ("Researcher ID", "研究者ID"),
    "organization": ("Organization", "機関名"),
    "role": ("Role / position", "役職・職名"),
    "kind": ("Kind", "種別"),
    "start": ("Start", "開始年月日"),
    "end": ("End", "終了年月日"),
    "paid": ("Paid", "有給"),
    "funder": ("Funder", "資金配分機関"),
    "programme": ("Programme", "制度・プログラム名"),
    "title": ("Project title", "研究課題名"),
    "amount": ("Amount", "金額"),
    "currency": ("Currency", "通貨"),
    "status": ("Status", "状況"),
    "provider": ("Provider", "提供元"),
    "description": ("Description", "内容"),
    "partner": ("Partner", "相手先"),
    "effort_percent": ("Effort (%)", "エフォート（%）"),
    "signed_on": ("Signed on", "誓約日"),
}

NOTES = {
    "researcher_id": ("Your researcher ID at the institution (required on every row).",
                      "所属機関における研究者ID（各行に必須）。"),
    "organization": ("Every current affiliation and position, including concurrent posts, foreign talent "
                     "programmes, unpaid and emeritus appointments.",
                     "兼業、外国の人材招へいプログラム、無給・名誉職を含む、全ての現在の所属・役職。"),
    "kind": ("employment, concurrent, talent_programme, visiting, emeritus or other.",
             "本務・兼業・人材招へいプログラム・客員・名誉・その他（英語の値も可）。"),
    "start": ("YYYY, YYYY-MM or YYYY-MM-DD.", "YYYY、YYYY-MM または YYYY-MM-DD。"),
    "end": ("YYYY, YYYY-MM or YYYY-MM-DD; empty if current.", "YYYY、YYYY-MM または YYYY-MM-DD。現在も継続中なら空欄。"),
    "paid": ("yes or no.", "はい／いいえ。"),
    "funder": ("Every research fund applied for or received, from any source.",
               "国内外を問わず、申請中及び受入済みの全ての研究資金。"),
    "amount": ("A number, 0 or more.", "0 以上の数値。"),
    "currency": ("ISO 4217 code (JPY, USD, CNY, EUR ...).", "ISO 4217 の通貨コード（JPY、USD、CNY、EUR など）。"),
    "status": ("applied or received.", "申請中／受入。"),
    "description": ("Facilities, equipment, software or data provided, including use outside the project.",
                    "提供を受けた施設・設備・ソフトウェア・データ等（当該研究以外での利用を含む）。"),
    "partner": ("Collaborations under a non-disclosure agreement: only partner, amount and effort. Restricted.",
                "秘密保持契約下の共同研究：相手先、金額、エフォートのみ。閲覧制限あり。"),
    "effort_percent": ("Share of your research effort, 0-100.", "研究エフォートの割合（0〜100）。"),
    "signed_on": ("Date you confirmed that everything above has been reported to the institution.",
                  "上記の全てを所属機関に報告したことを誓約した日。"),
}

SHEETS = {
    "affiliations": ("Affiliations", "所属・役職"),
    "funding": ("Funding", "研究資金"),
    "in_kind": ("In-kind support", "物的支援"),
    "nda_collaborations": ("NDA collaborations", "秘密保持契約"),
    "pledge": ("Pledge", "誓約"),
}

VALUE_WORDS = {
    "kind": {"本務": "employment", "雇用": "employment", "兼業": "concurrent", "兼務": "concurrent",
             "人材招へいプログラム": "talent_programme", "人材招聘プログラム": "talent_programme", "客員": "visiting",
             "名誉": "emeritus", "その他": "other"},
    "status": {"申請中": "applied", "申請": "applied", "受入": "received", "受入済": "received", "採択": "received"},
    "paid": {"yes": True, "no": False, "true": True, "false": False, "はい": True, "いいえ": False, "有": True,
             "無": False, "有給": True, "無給": False, "y": True, "n": False, "1": True, "0": False},
}
