//! The shipped coefficients of the audience-reaction text model (`crate::reaction`), written by
//! `opusclip eval highlights --fit`: do not edit by hand, refit.
//!
//! Fitted on the dev split of ted-dev.jsonl.gz (120 talks, 6009 windows of 60 s every 15 s, 24.6%
//! of them reacted to: laughter or applause starting in the window or ≤ 3 s after it) by
//! L2-regularised logistic regression (L2 0.01 on standardised features, Newton's method). The
//! holdout split was never used. Talk-grouped 4-fold cross-validation on dev, the model alone:
//! laughter P@3 0.471 (chance 0.282), laughter P@5 0.448 (chance 0.282), applause P@3 0.209 (chance
//! 0.098), applause P@5 0.181 (chance 0.098).

use crate::reaction::ReactionModel;

/// The fitted model; features in `crate::reaction::FEATURES` order.
#[rustfmt::skip]
pub const REACTION_MODEL: ReactionModel = ReactionModel {
    means: [
        2.3985905551000726, // first_person
        0.4894112310987499, // reported_speech
        0.6861808280674471, // third_person
        0.7977567094411006, // quote_marks
        2.5089966490541236, // contractions
        1.2736126554451206, // negations
        16.686394029510183, // sentence_length
        0.13578524037994844, // short_sentences
        0.07619162325223917, // questions
        7.195658702052905, // long_words
        3.2617638967188305, // collective
        1.1373746228978618, // call_to_action
        0.027958062905641536, // thank_you
        0.05974419448721585, // exclamations
        1.2186117715729137, // numbers
        0.24968924570545983, // family
        0.5513766166968782, // informal
        1.8324931028727993, // direct_address
        0.656869265950138, // emotional
    ],
    scales: [
        2.9868920498830254, // first_person
        0.7556033981895146, // reported_speech
        1.6587884841466158, // third_person
        1.5512156981129785, // quote_marks
        1.8815813167582622, // contractions
        1.1755844322747642, // negations
        5.831802427001545, // sentence_length
        0.14295200369255773, // short_sentences
        0.11582061940659379, // questions
        3.5663179951974064, // long_words
        2.6369826935491054, // collective
        1.278371585307706, // call_to_action
        0.20853124382809193, // thank_you
        0.5351439543208183, // exclamations
        1.561465474146714, // numbers
        0.6759456634775284, // family
        0.8678564062641262, // informal
        2.0894639367236723, // direct_address
        0.9396232996107473, // emotional
    ],
    coefficients: [
        0.2546898675341746, // first_person
        0.04990939711071206, // reported_speech
        -0.03420436096389014, // third_person
        0.0945997533953263, // quote_marks
        0.05892639687189101, // contractions
        0.0036876317936295755, // negations
        -0.25813059821709944, // sentence_length
        0.1645845938569626, // short_sentences
        -0.07025082600401916, // questions
        -0.09158396782732685, // long_words
        -0.06831386897793636, // collective
        -0.010476646201966151, // call_to_action
        0.30973760264617556, // thank_you
        0.0028229758035578137, // exclamations
        0.13943128549668357, // numbers
        -0.10057047536510123, // family
        0.1823326227908087, // informal
        0.02635851057700193, // direct_address
        -0.06839257553659239, // emotional
    ],
    intercept: -1.2179730299684595,
};
