"""Writes assets/corpora/portuguese.txt, the lab's Portuguese corpus (run it to regenerate).

    .venv/bin/python assets/corpora/make_portuguese.py

The lecture's example ("Glauco gosta de comer X": peras most likely, melancia next, pregos and
cimento rare) must be what a word-level model learns, so the sentences about what Glauco likes
to eat are drawn with controlled frequencies (``GLAUCO_EATS``). Around them, short scenes about
food, the market, the course and daily life are assembled from hand-written sentence patterns
with a fixed random seed, and hand-written paragraphs (``PARAGRAPHS``) are spread through the
text. One paragraph per line, so that a line break never splits a sentence. The output is
deterministic.
"""

import random
import textwrap
from pathlib import Path

OUT = Path(__file__).with_name("portuguese.txt")
SEED = 2024
TARGET_WORDS = 46_000

# What follows "Glauco gosta de comer": the lecture's ranking (peras, melancia ... pregos, cimento).
GLAUCO_EATS = {
    "peras": 50,
    "melancia": 24,
    "laranjas": 7,
    "bananas": 5,
    "uvas": 4,
    "maçãs": 4,
    "mangas": 3,
    "pregos": 2,
    "cimento": 1,
}
GLAUCO_AFTER = {
    "peras": [
        "As peras da feira estão doces nesta semana.",
        "Ele diz que uma pera madura é o melhor lanche da tarde.",
        "Todo domingo ele compra um quilo de peras.",
        "Ele come as peras com casca, depois de lavar bem.",
        "A pera é a fruta preferida dele desde criança.",
    ],
    "melancia": [
        "No verão, uma fatia de melancia gelada é o que ele mais quer.",
        "Ele divide a melancia com os vizinhos.",
        "A melancia chega inteira e vai para a geladeira em pedaços.",
        "Ele diz que melancia mata a sede melhor do que água.",
    ],
    "laranjas": [
        "Ele as come todos os dias.",
        "De manhã ele faz suco de laranja para a família.",
    ],
    "bananas": ["Ele leva uma banana na mochila para a aula."],
    "uvas": ["As uvas verdes são as que ele prefere."],
    "maçãs": ["Ele corta a maçã em fatias finas."],
    "mangas": ["Quando é época de manga, ele come duas por dia."],
    "pregos": [
        "Isso, claro, é uma frase estranha: ninguém come pregos.",
        "O modelo escreveu isso, mas a frase não faz sentido.",
    ],
    "cimento": [
        "Essa frase é rara e não faz sentido: cimento não é comida.",
        "Só um modelo muito criativo diria uma coisa dessas.",
    ],
}

PEOPLE = [
    "Maria",
    "João",
    "Ana",
    "Pedro",
    "Lucas",
    "Beatriz",
    "Rafael",
    "Camila",
    "Dona Rosa",
    "Seu Antônio",
    "a professora",
    "o professor",
    "a vizinha",
    "o feirante",
]
FRUITS = [
    ("peras", "as"),
    ("melancia", "a"),
    ("laranjas", "as"),
    ("bananas", "as"),
    ("uvas", "as"),
    ("maçãs", "as"),
    ("mangas", "as"),
    ("abacaxi", "o"),
    ("morangos", "os"),
    ("limões", "os"),
    ("mamão", "o"),
    ("goiabas", "as"),
]
FOODS = [
    "arroz com feijão",
    "pão de queijo",
    "salada de frutas",
    "bolo de milho",
    "sopa de legumes",
    "peixe assado",
    "frango com batatas",
    "macarrão com molho de tomate",
    "tapioca",
    "cuscuz",
    "pão com manteiga",
    "iogurte com granola",
]
DRINKS = ["café", "suco de laranja", "chá", "água de coco", "leite", "suco de uva"]
PLACES = ["na feira", "no mercado", "na padaria", "no sacolão", "na quitanda"]
DAYS = ["sábado", "domingo", "fim de semana", "feriado"]
PERSON_DE = {
    "a professora": "da professora",
    "o professor": "do professor",
    "a vizinha": "da vizinha",
    "o feirante": "do feirante",
}
TIMES = ["de manhã", "à tarde", "à noite", "no almoço", "no café da manhã", "no jantar"]
WEATHER = [
    "O dia amanheceu nublado.",
    "Fazia muito calor naquela tarde.",
    "Choveu a manhã inteira.",
    "O sol apareceu depois do almoço.",
    "Ventava forte perto do rio.",
    "A noite estava fria e calma.",
]
COURSE_TOPICS = [
    "o modelo bigrama",
    "a função softmax",
    "o vocabulário",
    "os tokens",
    "a temperatura",
    "a rede neural",
    "o treinamento",
    "a perda de validação",
    "o transformer",
    "a atenção",
    "as redes adversárias",
    "a amostragem",
]
PRICES = ["dois reais", "três reais", "cinco reais", "oito reais", "dez reais", "doze reais"]
QUANTITIES = ["um quilo de", "meio quilo de", "uma dúzia de", "duas caixas de", "um saco de"]

PATTERNS = {
    "food": [
        "{P} gosta de comer {food} {time}.",
        "{P} preparou {food} para a família.",
        "{time_cap}, {p} comeu {food} e tomou {drink}.",
        "{P} disse que {food} é a comida mais gostosa da semana.",
        "Na casa {p_de}, {food} é servido toda semana.",
        "{P} gosta de comer {fruit} no lanche da tarde.",
        "{P} prefere {drink} sem açúcar.",
        "Depois do almoço, {p} gosta de comer uma fruta.",
        "{P} não gosta de comer com pressa.",
        "{P} gosta de cozinhar quando tem tempo.",
    ],
    "market": [
        "{place_cap}, {art} {fruit} custam {price}.",
        "{P} comprou {qty} {fruit} {place}.",
        "{place_cap}, o feirante grita o preço das frutas.",
        "{P} vai {place} toda semana, bem cedo.",
        "O feirante ofereceu {art} {fruit} para {p} provar.",
        "{P} perguntou quanto custam {art} {fruit}.",
        "{place_cap}, as frutas da estação são mais baratas.",
        "O preço {fruit_de} subiu nesta semana.",
        "{P} escolheu {art} {fruit} na banca do canto.",
        "No fim da feira, tudo fica mais barato.",
    ],
    "course": [
        "Na aula de hoje, {p} explicou {topic}.",
        "{P} perguntou como funciona {topic}.",
        "Os alunos treinaram um modelo e viram a perda cair.",
        "O modelo aprende qual palavra costuma vir depois da outra.",
        "A resposta de uma IA generativa é estatística.",
        "Com temperatura alta, o modelo fica mais criativo e erra mais.",
        "Com temperatura baixa, o modelo repete as palavras mais prováveis.",
        "{P} desenhou no quadro um exemplo sobre {topic}.",
        "Durante o treinamento, cada palavra recebe um peso estatístico.",
        "A turma ficou surpresa quando o modelo escreveu uma frase nova.",
        "{P} disse que o vocabulário é a lista de todas as palavras conhecidas.",
        "Depois de mil passos, o texto gerado começou a fazer sentido.",
    ],
    "daily": [
        "{weather}",
        "{P} acordou cedo e foi trabalhar de ônibus.",
        "{time_cap}, {p} leu o jornal na varanda.",
        "{P} ligou para a mãe depois do jantar.",
        "{P} saiu para caminhar no parque.",
        "{P} voltou para casa no fim da tarde.",
        "No {day}, {p} arrumou a cozinha e lavou a louça.",
        "{P} encontrou um amigo na rua e conversou um pouco.",
        "As crianças brincaram no quintal até escurecer.",
        "{P} esqueceu o guarda-chuva em casa.",
    ],
}

PARAGRAPHS = [
    """Glauco gosta de laranjas. Ele as come todos os dias. Mas, quando alguém pergunta do que
    ele mais gosta, a resposta é quase sempre a mesma: Glauco gosta de comer peras. Às vezes ele
    diz melancia, principalmente no verão. Nunca ninguém o ouviu dizer pregos ou cimento, e é por
    isso que essas palavras são tão raras depois de "Glauco gosta de comer".""",
    """Um modelo de linguagem olha para as palavras que já foram escritas e tenta adivinhar a
    próxima. Ele não sabe o que é uma pera nem o que é cimento. Ele só sabe quantas vezes cada
    palavra apareceu depois das outras no texto de treinamento. Por isso a resposta é uma
    probabilidade: peras é a mais provável, melancia vem depois, e pregos quase nunca aparece.""",
    """A feira de sábado começa antes do sol nascer. Os feirantes montam as bancas, arrumam as
    frutas em pilhas coloridas e escrevem os preços em pedaços de papelão. Quem chega cedo leva
    as melhores peras; quem chega tarde paga menos pela melancia. No fim da manhã, o cheiro de
    pastel se mistura com o cheiro das frutas maduras.""",
    """Na primeira aula do curso, o professor escreveu no quadro uma frase simples: Glauco gosta
    de comer. Depois perguntou à turma qual seria a próxima palavra. Alguns disseram peras, outros
    disseram melancia, e um aluno, rindo, disse pregos. O professor explicou que um modelo faz a
    mesma coisa: ele dá uma chance para cada palavra e sorteia uma delas.""",
    """Quando a temperatura é baixa, o modelo escolhe quase sempre a palavra mais provável e o
    texto fica repetitivo, mas correto. Quando a temperatura é alta, palavras raras ganham mais
    chance, o texto fica mais criativo e também erra mais. É a troca entre menos alucinação e
    menos criatividade, de um lado, e mais das duas coisas, do outro.""",
    """Dona Rosa vende frutas na mesma esquina há trinta anos. Ela conhece cada cliente pelo nome
    e sabe o que cada um vai pedir. Para o Glauco, ela já separa as peras mais doces. Para a Maria,
    uma melancia pequena. Para o Seu Antônio, bananas para a semana inteira. Ela diz que vender
    frutas é também uma forma de conversar com o bairro.""",
    """O vocabulário de um modelo é a lista de todas as palavras que ele conhece. Cada palavra
    recebe um número, e o texto vira uma sequência de números. O modelo aprende com pares de
    contexto e alvo: depois de Glauco vem gosta, depois de gosta vem de, depois de de vem comer, e
    depois de comer vem, na maioria das vezes, peras.""",
    """No domingo, a família se reuniu para o almoço. Havia arroz com feijão, frango com batatas
    e uma salada bem fresca. De sobremesa, a avó trouxe uma melancia enorme, que foi cortada em
    fatias na mesa da cozinha. As crianças cuspiam as sementes no quintal e riam muito.""",
    """Treinar um modelo leva tempo. No começo, ele escreve letras soltas e palavras que não
    existem. Depois de algumas centenas de passos, aparecem palavras de verdade. Depois de alguns
    milhares, surgem frases inteiras, às vezes engraçadas, às vezes quase certas. A perda de
    validação mostra se o modelo está aprendendo ou só decorando o texto.""",
    """Choveu a semana inteira e a feira ficou vazia. Os feirantes cobriram as bancas com lonas e
    esperaram. Na sexta-feira o sol voltou, e com ele os clientes. Glauco apareceu cedo, como
    sempre, e levou um quilo de peras e meia melancia.""",
]


def glauco_sentence(rng: random.Random) -> str:
    """'Glauco gosta de comer X.' with X drawn from the lecture's distribution, plus a follow-up."""
    food = rng.choices(list(GLAUCO_EATS), weights=list(GLAUCO_EATS.values()))[0]
    intro = rng.choice(["", "", "Todo mundo sabe: ", "Como sempre, ", "Na feira, dizem que "])
    first = f"{intro}Glauco gosta de comer {food}."
    return f"{first[0].upper()}{first[1:]} {rng.choice(GLAUCO_AFTER[food])}"


def fill(pattern: str, rng: random.Random) -> str:
    fruit, art = rng.choice(FRUITS)
    person = rng.choice(PEOPLE)
    time = rng.choice(TIMES)
    place = rng.choice(PLACES)
    day = rng.choice(DAYS)
    de = {"a": "da", "o": "do", "as": "das", "os": "dos"}[art]
    sentence = pattern.format(
        p=person,
        P=person[0].upper() + person[1:],
        food=rng.choice(FOODS),
        drink=rng.choice(DRINKS),
        time=time,
        time_cap=time[0].upper() + time[1:],
        place=place,
        place_cap=place[0].upper() + place[1:],
        fruit=fruit,
        art=art,
        fruit_de=f"{de} {fruit}",
        price=rng.choice(PRICES),
        qty=rng.choice(QUANTITIES),
        day=day,
        p_de=PERSON_DE.get(person, f"de {person}"),
        topic=rng.choice(COURSE_TOPICS),
        weather=rng.choice(WEATHER),
    )
    return sentence.replace("custam", "custa") if art in ("a", "o") else sentence


def scene(rng: random.Random) -> str:
    """A short paragraph: a few sentences on one theme, often with what Glauco likes to eat."""
    theme = rng.choice(list(PATTERNS))
    sentences = [fill(p, rng) for p in rng.sample(PATTERNS[theme], k=rng.randint(3, 5))]
    if rng.random() < 0.6:
        sentences.insert(rng.randint(0, len(sentences)), glauco_sentence(rng))
    return " ".join(sentences)


def corpus(seed: int = SEED, target_words: int = TARGET_WORDS) -> str:
    rng = random.Random(seed)
    paragraphs = [" ".join(textwrap.dedent(p).split()) for p in PARAGRAPHS]
    out: list[str] = []
    words = 0
    while words < target_words:
        block = paragraphs[len(out) // 12 % len(paragraphs)] if len(out) % 12 == 11 else scene(rng)
        out.append(block)
        words += len(block.split())
    return "\n\n".join(out) + "\n"


if __name__ == "__main__":
    OUT.write_text(corpus(), encoding="utf-8")
    print(f"wrote {OUT} ({len(OUT.read_text(encoding='utf-8').split())} words)")
