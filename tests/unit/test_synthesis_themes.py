"""Themes within a criterion: grouped by meaning, readable labels, stance by group with divergence, one quote per
group, no catch-all theme, deterministic for a seed, quotes pseudonymised; a theme promoted to a finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthesis_support import build_project

from qualcode.errors import ConflictError, NotFoundError, QualcodeError
from qualcode.synthesis.audit import audit
from qualcode.synthesis.findings import show_finding
from qualcode.synthesis.stance import stance_of, stances
from qualcode.synthesis.themes import promote_theme, themes


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def test_themes_are_deterministic_and_cover_every_passage_once(project) -> None:  # type: ignore[no-untyped-def]
    a = themes(project, criterion="relevance", k=3, seed=7)
    b = themes(project, criterion="relevance", k=3, seed=7)
    assert a == b
    refs = [r for t in a["themes"] for r in t["refs"]] + [o["ref"] for o in a["other"]]
    assert len(refs) == len(set(refs)) == a["passages"] == 8
    for t in a["themes"]:
        assert t["quotes"] and sum(t["groups"].values()) == t["size"] == len(t["passages"])
        assert sum(t["stance"].values()) == t["size"]


def test_a_passage_left_alone_is_listed_as_other_not_numbered_as_a_theme(project) -> None:  # type: ignore[no-untyped-def]
    """Three themes asked of eight passages: the outliers are no themes of one passage but 'other', each with its
    quote (pseudonymised), stance and evidence; the themes are numbered without them."""
    result = themes(project, criterion="relevance", k=3, seed=7)
    assert result["other"] and all(t["size"] >= 2 for t in result["themes"])
    assert [t["theme"] for t in result["themes"]] == list(range(1, len(result["themes"]) + 1))
    for o in result["other"]:
        assert o["quote"]["ref"] == o["ref"] and o["quote"]["text"] and o["quote"]["attribution"]
        assert o["stance"] in ("supports", "criticises", "mixed", "neutral") and "evidence" in o
    # as many themes asked as there are passages: every passage is alone, and with nothing to set them against
    # they stay themes
    every = themes(project, criterion="relevance", k=8)
    assert len(every["themes"]) == 8 and not every["other"]


def test_grievance_passages_share_a_theme(project) -> None:  # type: ignore[no-untyped-def]
    result = themes(project, criterion="relevance", k=2, seed=0)
    with_grievance = [t for t in result["themes"]
                      if sum("grievance" in q["text"].lower() for q in t["quotes"] + t["representative"]) >= 2]
    assert with_grievance, [t["label"] for t in result["themes"]]


def test_representative_quotes_are_pseudonymised(project) -> None:  # type: ignore[no-untyped-def]
    result = themes(project, criterion="relevance", k=1, top_quotes=10)
    # every quote shown: the themes' and those of the passages fitting no theme ("other")
    quotes = [q for t in result["themes"] for q in t["quotes"] + t["representative"]]
    quotes += [o["quote"] for o in result["other"]]
    text = " ".join(q["text"] for q in quotes) + " ".join(t["label"] for t in result["themes"])
    assert "Nguyen Thi Hoa" not in text and "[informant KII-01]" in text
    assert all(q["attribution"].startswith(("Interview", "FGD")) for q in quotes)
    named = themes(project, criterion="relevance", k=1, top_quotes=10, show_names=True)
    shown = [q for t in named["themes"] for q in t["quotes"]] + [o["quote"] for o in named["other"]]
    assert "Nguyen Thi Hoa" in " ".join(q["text"] for q in shown)


def test_no_quotes_or_no_target_is_a_clear_error(project) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError, match="no coded passages"):
        themes(project, criterion="impact")
    with pytest.raises(QualcodeError, match="--criterion"):
        themes(project)
    with pytest.raises(QualcodeError, match="at least 1"):
        themes(project, criterion="relevance", k=0)


def test_stance_reads_praise_criticism_contrast_and_negation() -> None:
    assert stance_of("The grievance-handling course got very good feedback.").stance == "supports"
    assert stance_of("Only three of our 14 line leaders got any training, and nobody came back to check.").stance \
        == "criticises"
    assert stance_of("The toolkit was not useful for us.").stance == "criticises"
    assert stance_of("Since the signing we have had no strikes in the seven factories.").stance == "supports"
    assert stance_of("The content is good, but the platform was slow.").stance == "mixed"
    assert stance_of("We have 14 line leaders in our section.").stance == "neutral"
    result = stance_of("The e-learning was not adapted for line workers.")
    assert result.stance == "criticises" and any("adapted" in e for e in result.evidence)


def test_names_are_not_judgements_and_a_polite_request_is_a_recommendation() -> None:
    # "Better Work" is a programme and "Ha Noi" a city: a general lexicon would read praise and laughter in them
    read = stance_of("Where Better Work is already present, the seminars in Ha Noi ran in parallel with ours.")
    assert not {"+better", "+ha"} & set(read.evidence)
    assert "+better" in stance_of("The seminars were better in the first year.").evidence
    # a sentence's first word is not a name, and text typed all in lower case is read as it is
    assert "+good" in stance_of("Good trainers make the difference, and ours were good.").evidence
    assert "+better" in stance_of("the seminars were better in the first year").evidence
    read = stance_of("Please tell the organisers to ask migrant workers when they can come.")
    assert any(e.startswith("-recommend") for e in read.evidence)


def test_programme_names_plurals_of_topics_and_least_are_read_as_an_evaluator_reads_them() -> None:
    # "improvement" names a part of the programme here; "parties" is who signed; "least happy" is not praise
    assert stance_of("The factory improvement toolkit was different.").stance == "neutral"
    assert stance_of("The parties to the agreement met in March.").stance == "neutral"
    read = stance_of("We were the least happy with the e-learning.")
    assert read.stance == "criticises" and "-not happy" in read.evidence
    assert "+at least" in stance_of("At least the dialogue did not stop.").evidence
    # "well" judges how something went, not as "as well as"
    assert stance_of("The seminars were well attended.").stance == "supports"
    assert stance_of("As well as the chamber, the ministry came.").stance == "neutral"


def test_contrast_reasons_and_absences_that_are_good_news() -> None:
    # praise on one side of "but" and criticism (or no praise) on the other is mixed
    assert stance_of("The chamber was supportive but stayed in the background.").stance == "mixed"
    # an answer opening with "But" is a reservation, and says so
    read = stance_of("But the sessions were on Sunday morning in the city.")
    assert read.stance == "criticises" and "-reservation: but" in read.evidence
    # the problem after "because" is why the programme was needed, not a fault of it
    assert stance_of("The study was timely, because the legal basis was not clear and nobody had data.").stance \
        == "supports"
    assert stance_of("The QR grievance channel will continue; it costs nothing.").stance == "supports"
    assert stance_of("We did not have to convince anybody to send people.").stance == "supports"
    # "I must say" frames a judgement; it recommends nothing
    read = stance_of("I must say the trainers were excellent.")
    assert read.stance == "supports" and not any(e.startswith("-recommend") for e in read.evidence)
    assert stance_of("The research went directly into our work on the draft decree.").stance == "supports"


def test_absences_denials_and_the_words_of_evaluation_reports_are_read() -> None:
    # a denied action or an absence is a shortfall, even for a verb no list names
    for text in ("The advisory visit reports did not record anything by sex.",
                 "Several indicators have no baseline.",
                 "The biggest inefficiency was time."):
        assert stance_of(text).stance == "criticises", text
    # the absence of a problem the programme works against is a result
    read = stance_of("Since the new procedure we have had no work stoppage in my section.")
    assert read.stance == "supports" and "+no stoppage" in read.evidence
    # a change the speaker denies is no change
    read = stance_of("The union raised it in the negotiation, but it did not go into the text.")
    assert read.stance == "criticises" and not any(e.startswith("+change") for e in read.evidence)
    # "no longer" and "no doubt" deny nothing
    assert stance_of("Since the course workers no longer wait a month for an answer.").stance == "supports"
    assert not any(e.startswith("-") for e in stance_of("There is no doubt the meetings were useful.").evidence)
    # counterfactual attribution
    assert stance_of("Without the wage survey, the union side would have had nothing to put on the table.").stance \
        == "supports"


def test_short_answers_are_read_and_other_languages_stay_neutral() -> None:
    # "Very useful." has one function word: it is still English, and its judgement counts
    assert stance_of("Very useful.").stance == "supports"
    assert stance_of("Too late.").stance == "criticises"
    assert stance_of("Excellent trainers.").stance == "supports"
    for other in ("Rất hữu ích.", "Merci beaucoup, très utile.", "Không đủ thời gian."):
        assert stance_of(other).stance == "neutral" and not stance_of(other).evidence


def test_opposite_claims_about_the_same_topic_get_opposite_stances() -> None:
    """The issue's example: the same nouns, opposite meanings."""
    assert stance_of("In our section we have 14 line leaders, and only three of them got any training from the"
                     " project.").stance == "criticises"
    assert stance_of("We trained all line leaders on it in 2023, and it helped a lot.").stance == "supports"


def test_a_description_without_judgement_is_neutral_and_a_stance_always_shows_its_words() -> None:
    """Joining a programme, a short document, who the workers are: facts, not judgements of the programme."""
    import csv

    for text in ("We joined the advisory programme in early 2022 through the chamber.",
                 "We have asked the ILO for a short document on the process, in Vietnamese.",
                 "In electronics the workers are young, mostly women, many from other provinces."):
        assert stance_of(text).stance == "neutral", text
    assert stance_of("The course was too short and nobody came back to check.").stance == "criticises"
    # whatever the passage, a stance other than neutral names the words it was read from
    fixture = Path(__file__).parents[1] / "fixtures" / "stance" / "example_passages.tsv"
    with fixture.open(encoding="utf-8") as f:
        texts = [r["text"] for r in csv.DictReader(f, delimiter="\t") if r["split"] == "dev"]
    read = stances(texts)
    assert all(s.evidence for s in read if s.stance != "neutral")
    assert {s.stance for s in read} == {"supports", "criticises", "mixed", "neutral"}


def test_changes_with_a_direction_and_shortfalls_told_as_facts_are_read() -> None:
    """Passages of the example whose judgement is in what happened, not in an evaluative word."""
    # what went down is good news when it is a problem, a shortfall when it is not; the event then dates the decline
    read = stance_of("But I have to be honest, after the first three or four meetings the attendance from companies"
                     " went down.")
    assert read.stance == "criticises" and "-down: went down" in read.evidence
    assert not any(e.startswith("+change") for e in read.evidence)
    read = stance_of("Since the course, turnover on my lines went down.")
    assert read.stance == "supports" and "+down: went down" in read.evidence
    read = stance_of("The agreement raises the meal allowance to 30,000 dong per shift.")
    assert read.stance == "supports" and "+up: raises" in read.evidence
    # fragmentation, trained people gone, work done twice, a framework written afterwards
    for text, words in (("Each one asked for a focal point and each one sent their own forms.",
                         "-each one sent their own"),
                        ("Of the three people from our factory who did the trainer course, one has already left the"
                         " company.", "-has already left"),
                        ("We were asked to fill in the same attendance data twice.",
                         "-the same attendance data twice"),
                        ("So the theory of change for the cluster was written after the fact, to describe what was"
                         " already there.", "-after the fact")):
        read = stance_of(text)
        assert read.stance == "criticises" and words in read.evidence, (text, read)
    # the speaker's own doubt about attribution is no shortfall of the programme; a missing figure is
    read = stance_of("I cannot prove it is because of the agreement, but the workers know now there is a place to"
                     " bring the problem.")
    assert read.stance == "supports" and not any("prove" in e for e in read.evidence)
    read = stance_of("So when the board of the chamber asks me what changed, I can say 24 roadmaps, but I cannot"
                     " say how many were implemented.")
    assert read.stance == "criticises" and "-not say" in read.evidence
    # "not yet" denies what follows; it is no turn of the argument
    read = stance_of("The roadmap has not yet been used.")
    assert read.stance == "criticises" and "-not used" in read.evidence
    # a weak point said as the speaker's doubt is a criticism; doubt about the cause alone stays no judgement
    for text in ("What I am not sure about is the support around it.",
                 "Where I am less sure is the fit between the four projects themselves."):
        read = stance_of(text)
        assert read.stance == "criticises" and any(e.startswith("-reservation:") for e in read.evidence), (text, read)
    read = stance_of("I am not sure it was the course.")
    assert read.stance == "neutral" and not read.evidence


def test_a_denied_word_inside_an_idiom_counts_once() -> None:
    """"not enough" is one shortfall (the idiom's), not also a denied "enough": the score says how strong it is."""
    read = stance_of("The training was not enough.")
    assert read.stance == "criticises" and read.evidence == ["-not enough"] and read.score == -1.5
    read = stance_of("We asked for a no-cost extension of six months.")
    assert read.stance == "criticises" and read.evidence == ["-no-cost extension"]


def _divergent_project(tmp_path: Path, critiques: int = 4):  # type: ignore[no-untyped-def]
    from synthesis_support import parse_turns, unit_ref

    from qualcode.cases import CaseRow
    from qualcode.codebook import default_codebook_path, load_codebook
    from qualcode.project_io import apply_case_sheet
    from qualcode.store import Project

    praise = ["The grievance training was very useful and helped our supervisors a lot.",
              "The grievance course was excellent, the best training we had.",
              "After the grievance training our complaints were answered quickly, it worked well.",
              "The grievance-handling course was relevant and effective for the factory."]
    critique = ["The grievance training did not reach the workers, only managers were invited.",
                "The grievance course was not useful for us, nobody asked the union what we needed.",
                "The grievance procedure is weak and the training was too late and too short.",
                "The grievance training failed to change anything for workers, it was a problem."][:critiques]
    p = Project.create(tmp_path / "div", codebook=load_codebook(default_codebook_path()), name="Divergent")
    rows = []
    for n, text in enumerate(praise + critique):
        tid = f"KII-{n + 1:02d}"
        p.add_transcript(parse_turns([("Interviewer", "How useful was the grievance training?"),
                                      ("Informant", text)]), tid, attributes={"type": "KII"})
        group = "Factory" if n < len(praise) else "Workers' organisation"
        rows.append(CaseRow(n + 2, tid, None, None, tid, f"Person {n}",
                            {"type": "KII", "stakeholder_group": group, "role": "Officer", "location": "Ha Noi"}))
    apply_case_sheet(p, rows, coder="ana")
    for n, text in enumerate(praise + critique):
        tid = f"KII-{n + 1:02d}"
        for coder in ("ana", "ben"):
            p.add_coding(unit_ref(p, tid, text[:20]), "effectiveness.outcomes", coder=coder,
                         created="2024-03-20T10:00:00Z")
    return p


def test_groups_leaning_opposite_ways_are_flagged_divergent_with_a_quote_each(tmp_path: Path) -> None:
    p = _divergent_project(tmp_path)
    result = themes(p, criterion="effectiveness", k=1, max_share=1.0)
    (t,) = result["themes"]
    assert t["by_group"]["Factory"]["lean"] == "positive"
    assert t["by_group"]["Workers' organisation"]["lean"] == "critical"
    assert t["divergent"] and "Factory positive" in t["divergence"]
    assert "Workers' organisation critical" in t["divergence"]
    assert {q["group"] for q in t["representative"]} == {"Factory", "Workers' organisation"}
    assert t["triangulation"]["informants"] == 8 and len(t["triangulation"]["groups"]) == 2
    assert t["triangulation"]["units"] == 8  # two coders, one passage each: counted once
    p.close()


def test_a_catch_all_theme_is_split_and_reported(tmp_path: Path) -> None:
    p = _divergent_project(tmp_path)
    result = themes(p, criterion="effectiveness", k=1, max_share=0.6)
    assert result["split"] and result["split"][0]["passages"] == 8
    assert max(t["share"] for t in result["themes"]) <= 0.6
    p.close()


def test_a_promoted_theme_is_a_finding_with_its_evidence_that_passes_the_audit(tmp_path: Path) -> None:
    p = _divergent_project(tmp_path)
    whole = themes(p, criterion="effectiveness", k=1, max_share=1.0)
    assert len(whole["themes"]) == 1
    result = promote_theme(p, 1, finding_id="F-EFF-9", coder="ana", criterion="effectiveness", k=1, max_share=1.0)
    assert result["audit_ok"] and result["passages"] == 8
    # half praise, half criticism: the draft finding is that views are mixed, and both sides are its evidence
    assert result["supporting"] == 8 and result["contradicting"] == 0
    assert result["passage_stances"]["supports"] >= 3 and result["passage_stances"]["criticises"] >= 3
    assert "views are mixed" in result["statement"] and "Workers' organisation critical" in result["statement"]
    finding = show_finding(p, "F-EFF-9")
    assert finding["criterion"] == "effectiveness" and finding["statement"] == result["statement"]
    assert len(finding["evidence"]) == 16  # both coders' codings of each passage: the reviewer sees who coded it
    notes = {link["note"] for link in finding["evidence"]}
    assert "theme 1: passage criticises" in notes and "theme 1: passage supports" in notes
    assert audit(p, finding_ids=["F-EFF-9"])["ok"]
    with pytest.raises(ConflictError):
        promote_theme(p, 1, finding_id="F-EFF-9", coder="ana", criterion="effectiveness", k=1, max_share=1.0)
    with pytest.raises(NotFoundError, match="no theme 5"):
        promote_theme(p, 5, finding_id="F-EFF-10", coder="ana", criterion="effectiveness", k=1)
    p.close()


def test_a_promoted_theme_that_takes_a_side_links_the_other_side_as_contradicting(tmp_path: Path) -> None:
    p = _divergent_project(tmp_path, critiques=1)  # four factories praise, one union criticises
    result = promote_theme(p, 1, finding_id="F-EFF-8", coder="ana", criterion="effectiveness", k=1, max_share=1.0)
    assert result["theme"]["lean"] == "positive" and "mixed" not in result["statement"]
    assert result["contradicting"] == 1 and result["supporting"] == 4 and result["audit_ok"]
    contrary = [link for link in show_finding(p, "F-EFF-8")["evidence"] if link["stance"] == "contradicts"]
    assert {link["quote"] for link in contrary} == {"The grievance training did not reach the workers, only managers"
                                                   " were invited."}
    p.close()


def test_a_label_is_a_statement_that_reads_alone_not_a_lead_in_or_a_fragment() -> None:
    from qualcode.synthesis.themes import _label

    # the words before a colon frame what follows: the label is the statement after it
    label = _label(["One unexpected good thing: after the seminars, HR managers from five factories in our zone"
                    " created a group chat, and now we share information when an audit is coming."], ["seminars"])
    assert label.startswith("After the seminars, HR managers from five factories") and "unexpected" not in label
    # a long sentence is cut where a clause ends, never between two nouns joined by "and"
    label = _label(["For us it sits right in the trade and sustainable development chapter of the free trade"
                    " agreement, where Viet Nam committed to ratify the remaining fundamental conventions."], [])
    assert "sustainable development chapter" in label and len(label) <= 92
    # a coding unit that ends mid-sentence ends on a comma; the label does not
    assert _label(["So my picture is that the shorter, practical courses worked,"], []) == (
        "My picture is that the shorter, practical courses worked")
    # an opening connective leans on what came before, and the clause after "but" is the point: never cut off
    label = _label(["Also, the ministry played its role at national level, but the provincial labour departments"
                    " were hardly involved, and in the end it is the province that inspects."], [])
    assert label.startswith("The ministry played its role") and "but the provincial" in label


def test_key_phrases_do_not_run_across_punctuation_or_end_in_vague_words() -> None:
    from qualcode.synthesis.themes import _phrases

    phrases = _phrases("We met the ministry, the chamber and the unions. Sometimes something changed since then.")
    assert "ministry the chamber" not in phrases and "ministry" in phrases and "chamber" in phrases
    assert not {"sometimes", "something", "since"} & phrases


def test_a_short_answer_joins_the_theme_of_the_question_it_answers(tmp_path: Path) -> None:
    """'Not yet, to be honest.' says nothing alone: the interviewer's question says what it is about."""
    from synthesis_support import parse_turns, unit_ref

    from qualcode.cases import CaseRow
    from qualcode.codebook import default_codebook_path, load_codebook
    from qualcode.project_io import apply_case_sheet
    from qualcode.store import Project

    asked = {
        "Who will pay for the sectoral meetings when the donor funding ends in June?": [
            "The ministry budget cannot pay for the meetings after the donor funding ends.",
            "Funding is the question, the donor money for the meetings ends in June.",
            "The chamber has no budget line for the meetings yet, so the funding is open.",
            "Not yet, to be honest."],
        "Do the factories use the e-learning platform for new line leaders?": [
            "The e-learning platform is slow on the phone, so line leaders rarely open it.",
            "Our new line leaders did the e-learning modules on the platform in their first week.",
            "The platform is in English and the line leaders prefer the printed modules.",
            "A little."],
    }
    p = Project.create(tmp_path / "ctx", codebook=load_codebook(default_codebook_path()), name="Context")
    rows: list[CaseRow] = []
    answers: list[tuple[str, str]] = []
    for n, (question, replies) in enumerate(asked.items()):
        for m, reply in enumerate(replies):
            tid = f"KII-{n}{m}"
            p.add_transcript(parse_turns([("Interviewer", question), ("Informant", reply)]), tid,
                             attributes={"type": "KII"})
            rows.append(CaseRow(len(rows) + 2, tid, None, None, tid, f"Person {n}{m}",
                                {"type": "KII", "stakeholder_group": "Factory", "role": "Officer",
                                 "location": "Ha Noi"}))
            answers.append((tid, reply))
    apply_case_sheet(p, rows, coder="ana")
    refs: dict[str, str] = {}
    for tid, reply in answers:
        refs[reply] = unit_ref(p, tid, reply[:12])
        p.add_coding(refs[reply], "sustainability.funding", coder="ana", created="2024-03-20T10:00:00Z")
    result = themes(p, criterion="sustainability", k=2, max_share=1.0)
    theme_of = {ref: t["theme"] for t in result["themes"] for ref in t["refs"]}
    for replies in asked.values():
        assert len({theme_of[refs[r]] for r in replies}) == 1, replies
    assert len(set(theme_of.values())) == 2
    p.close()


def test_splitting_a_catch_all_theme_never_leaves_more_themes_than_a_reader_can_take() -> None:
    """At 200 transcripts the catch-all splits came on top of the 12 themes chosen: the smallest themes now join
    their nearest neighbour instead, without making a catch-all theme again."""
    from collections import Counter

    import numpy as np

    from qualcode.synthesis.themes import MAX_THEMES, _cluster, _l2

    rng = np.random.default_rng(1)
    d = 60
    # thirteen small tight topics and one large diffuse one that holds most passages
    points = [np.eye(d)[i] + 0.05 * rng.standard_normal((15, d)) for i in range(13)]
    points.append(np.eye(d)[30] + 0.1 * rng.standard_normal((300, d)) * np.r_[np.ones(2), np.zeros(d - 2)])
    x = _l2(np.vstack(points).astype(np.float32))
    labels, chosen, splits = _cluster(x, k=None, seed=0, max_share=0.4)
    assert chosen == MAX_THEMES and splits  # the large topic was split ...
    sizes = Counter(labels)
    assert len(sizes) == MAX_THEMES  # ... and the themes were merged back to what a reader can take
    assert max(sizes.values()) <= 0.4 * len(x)
    assert len(labels) == len(x)


def test_a_critical_theme_is_not_labelled_with_its_one_word_of_praise() -> None:
    from qualcode.synthesis.themes import _label

    central = ["The chamber has said it will continue the sectoral meetings with its members' fees.",
               "The sectoral consultation meetings depend entirely on project funding after June."]
    # the first passage is more central, but the theme leans critical: its label says what most passages say
    assert _label(central, [], ["supports", "criticises"], "critical").startswith("The sectoral consultation")
    assert _label(central, [], ["supports", "criticises"], "positive").startswith("The chamber has said")


def test_a_shortfall_of_the_time_before_the_programme_shows_why_it_reads_in_its_favour() -> None:
    # the example's KII-11:34 read "supports" beside only critical words ("-no place"): the reader could not see why
    said = stance_of("Before, there was no place where the ministry, the chamber, the labour confederation and the "
                     "electronics companies sat at one table and talked about this sector.")
    assert said.stance == "supports" and said.evidence == ["-no place", "+before: before"]
    # a judgement of the earlier time with nothing critical in it gets no such mark (the framing changed nothing)
    assert stance_of("Before, the trainings were good.").evidence == ["+good"]
