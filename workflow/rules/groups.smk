# Periods and facets (trends.periods, trends.facet): tables and figures beside the yearly ones,
# defined only when the config asks for them (GROUP_TABLES and GROUP_FIGURES in common.smk).


if GROUP_TABLES:

    rule summarise_groups:
        # Period and facet shares with the yearly interval rules (zhengfa_trends.groups), the
        # period term tables, for the chosen K's topics.
        input:
            tokens="results/tokens/tokens.tsv",
            ledger="results/corpus/documents.tsv",
            chosen_k="results/lda/chosen_k.txt",
            topic_shares="results/trends/topic_share_by_year.tsv",
            passage_topics=lda_files("passage_topics.tsv"),
        output:
            **GROUP_TABLES,
        log:
            "logs/summarise_groups.log",
        benchmark:
            "logs/benchmarks/summarise_groups.tsv"
        conda:
            ENV
        params:
            code=CODE["summarise_groups"],
            ks=lda_ks,
            trends=config["trends"],
            themes=config["themes"],
            n_terms=config["tfidf"]["n_terms"],
            keyness=config["keyness"],
        script:
            "../../scripts/summarise_groups.py"

    rule plot_group_figures:
        # The period term figures and the facet figure, in one job.
        input:
            **GROUP_TABLES,
            style=config["figures"]["style"],
            ledger="results/corpus/documents.tsv",
        output:
            [
                report(
                    f"results/figures/{name}.png",
                    caption=f"../report/{name}.rst",
                    category="3 Trends" if name == "facet_trends" else "1 Terms",
                    labels={"figure": name},
                )
                for name in GROUP_FIGURES
            ],
            expand(
                "results/figures/{figure}.{fmt}",
                figure=list(GROUP_FIGURES),
                fmt=[fmt for fmt in FIGURE_FORMATS if fmt != "png"],
            ),
        log:
            "logs/plot_group_figures.log",
        benchmark:
            "logs/benchmarks/plot_group_figures.tsv"
        conda:
            ENV
        params:
            code=CODE["plot_group_figures"],
            names=list(GROUP_FIGURES),
            options=FIGURE_OPTIONS,
            captions={name: caption(name, config) for name in GROUP_FIGURES},
            documents_per_year=lambda wildcards, input: documents_per_year_in(
                input.ledger
            ),
        script:
            "../../scripts/plot_group_figures.py"
