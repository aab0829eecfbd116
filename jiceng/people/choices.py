"""Fixed lists of a person's fields, shared by the services, the forms and the roster."""

# GB 3304 (names and codes of China's nationalities), with the 2-digit code in the database.
_NATIONALITIES = (  # noqa: SIM905 — GB 3304 order: codes 01 to 56
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()

# (code, label, *other spellings a roster may use)
ETHNICITY_ITEMS: tuple[tuple[str, ...], ...] = (
    *((f"{n:02d}", f"{name}族", name, str(n)) for n, name in enumerate(_NATIONALITIES, start=1)),
    ("97", "其他", "其他民族", "未识别民族"),
    ("98", "外国血统中国籍人士", "外国血统"),
)
# (code, label): the choices of a select
ETHNICITIES: tuple[tuple[str, str], ...] = tuple((i[0], i[1]) for i in ETHNICITY_ITEMS)
_ETHNICITY_LABELS = dict(ETHNICITIES)


def ethnicity_label(code: str) -> str:
    """The GB 3304 name of `code` ("" for none; an unknown code as it is)."""
    return _ETHNICITY_LABELS.get(code, code or "")


def is_ethnicity(code: str) -> bool:
    return code in _ETHNICITY_LABELS
