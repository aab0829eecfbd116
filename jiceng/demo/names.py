"""Word lists for realistic synthetic Chinese names (deterministic with a seeded random)."""

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕红梅玉兰文博子涵浩然欣怡雨萱梓轩思远晓东晓燕春生秋菊冬梅德明振华卫东爱民"
PLACES = [
    "青山",
    "临江",
    "白沙",
    "东湖",
    "南岭",
    "西河",
    "北塘",
    "金桥",
    "凤凰",
    "龙泉",
    "长乐",
    "永安",
    "太平",
    "和平",
    "新华",
    "建设",
    "胜利",
    "团结",
    "光明",
    "幸福",
    "红星",
    "朝阳",
    "丰收",
    "滨江",
    "望湖",
    "桃源",
    "杏林",
    "松柏",
    "梧桐",
    "翠竹",
]
COMMUNITY_SUFFIX = ["社区", "里社区", "苑社区", "园社区", "新村社区"]
FIRM_WORDS = [
    "科技",
    "机械",
    "电子",
    "建材",
    "物流",
    "食品",
    "纺织",
    "医药",
    "环保",
    "信息",
    "新材料",
    "智能",
    "汽配",
    "商贸",
    "餐饮",
    "物业",
    "建筑",
    "印务",
    "光电",
    "农业",
]
FIRM_FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
PROVINCE, CITY_SUFFIX, DISTRICT_SUFFIX, STREET_SUFFIX = "江河省", "市", "区", "街道"


def person_name(rng) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given[:2]


def place(rng, i: int) -> str:
    """A place name unique for small i, with a ordinal suffix once the list runs out."""
    base = PLACES[i % len(PLACES)]
    return base if i < len(PLACES) else f"{base}{i // len(PLACES) + 1}"


def firm(rng, place_name: str) -> str:
    return f"{place_name}{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_FORMS)}"


def id_number(born, seq: int, region: str = "110105") -> str:
    """A valid citizen ID number (GB 11643) for a synthetic person; odd `seq` = male."""
    from stdnum.cn import ric

    body = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it expects a placeholder check digit
