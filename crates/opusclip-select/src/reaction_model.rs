//! The shipped coefficients of the audience-reaction text model (`crate::reaction`), written by
//! `opusclip eval highlights --fit`: do not edit by hand, refit.
//!
//! Fitted on the dev split of ted-dev.jsonl.gz (120 talks, 5675 windows of 60 s every 15 s, 24.6%
//! of them reacted to: laughter or applause starting in the window or ≤ 3 s after it) by
//! L2-regularised logistic regression (L2 0.01 on standardised features, Newton's method). The
//! holdout split was never used. Talk-grouped 4-fold cross-validation on dev, the model alone:
//! laughter P@3 0.487 (chance 0.292), laughter P@5 0.462 (chance 0.292), applause P@3 0.362 (chance
//! 0.184), applause P@5 0.338 (chance 0.184).

use crate::reaction::ReactionModel;

/// The fitted model; features in `crate::reaction::FEATURES` order.
#[rustfmt::skip]
pub const REACTION_MODEL: ReactionModel = ReactionModel {
    means: [
        2.3566053423931312, // first_person
        0.4928345261672332, // reported_speech
        0.6898767605304938, // third_person
        0.8138032862270425, // quote_marks
        2.493938242758787, // contractions
        1.2690441604095097, // negations
        16.852278299619794, // sentence_length
        0.13307346940724737, // short_sentences
        0.07683793347704701, // questions
        7.2098545755687535, // long_words
        3.2885308114742866, // collective
        1.134568785561078, // call_to_action
        0.029955947136563875, // thank_you
        0.04733681153435682, // exclamations
        1.2323086451667085, // numbers
        0.25028797324350566, // family
        0.5443204812436963, // informal
        1.8132470738753128, // direct_address
        0.6464483652200472, // emotional
    ],
    scales: [
        2.884808438453103, // first_person
        0.7451170636138174, // reported_speech
        1.6506818220973125, // third_person
        1.5232129414900133, // quote_marks
        1.8021147440479457, // contractions
        1.115871434224451, // negations
        5.849193808460972, // sentence_length
        0.13619781271276718, // short_sentences
        0.11423539467204905, // questions
        3.466152059305992, // long_words
        2.5987340990838135, // collective
        1.245212271461746, // call_to_action
        0.22248397021374966, // thank_you
        0.3200424671134257, // exclamations
        1.540152444732206, // numbers
        0.6702009986205685, // family
        0.8052902354893319, // informal
        2.012587830185938, // direct_address
        0.8700163125570525, // emotional
    ],
    coefficients: [
        0.26807114220516703, // first_person
        0.06710269675075012, // reported_speech
        -0.03448545339214839, // third_person
        0.08625773811963669, // quote_marks
        0.07716982367693671, // contractions
        -0.012050773730562783, // negations
        -0.23588865145079854, // sentence_length
        0.1744149831761712, // short_sentences
        -0.07540910848760327, // questions
        -0.10860968032902127, // long_words
        -0.07586721568718252, // collective
        -0.01863909106863042, // call_to_action
        0.3683910309777592, // thank_you
        0.04776611396530913, // exclamations
        0.14694295857439507, // numbers
        -0.11460174755476446, // family
        0.18108008859066438, // informal
        0.004290154139746323, // direct_address
        -0.07935182452145256, // emotional
    ],
    intercept: -1.2218112806289645,
};
