//! Optional emoji after strong words in captions (`CaptionStyle::emoji`, off by default): a
//! short, curated table of everyday words and the emoji a creator would put after them. At most
//! one per caption page, so a page never turns into a row of pictures. Drawn from an outline
//! emoji font (Symbola), since libass draws no colour-bitmap emoji.

use crate::marks::keyword_key;

/// The font the emoji are drawn in: outlines, so libass can draw and outline them.
pub const EMOJI_FONT: &str = "Symbola";

/// Words (as [`keyword_key`] writes them) and their emoji.
const EMOJI: &[(&str, &str)] = &[
    ("money", "💰"),
    ("cash", "💰"),
    ("dollars", "💵"),
    ("rich", "💰"),
    ("idea", "💡"),
    ("ideas", "💡"),
    ("love", "❤"),
    ("heart", "❤"),
    ("fire", "🔥"),
    ("hot", "🔥"),
    ("time", "⏰"),
    ("clock", "⏰"),
    ("brain", "🧠"),
    ("think", "🤔"),
    ("question", "❓"),
    ("why", "🤔"),
    ("secret", "🤫"),
    ("win", "🏆"),
    ("winner", "🏆"),
    ("success", "🏆"),
    ("goal", "🎯"),
    ("goals", "🎯"),
    ("target", "🎯"),
    ("growth", "📈"),
    ("grow", "📈"),
    ("data", "📊"),
    ("rocket", "🚀"),
    ("launch", "🚀"),
    ("fast", "⚡"),
    ("energy", "⚡"),
    ("power", "💪"),
    ("strong", "💪"),
    ("work", "💼"),
    ("business", "💼"),
    ("book", "📚"),
    ("books", "📚"),
    ("learn", "📚"),
    ("phone", "📱"),
    ("music", "🎵"),
    ("food", "🍽"),
    ("coffee", "☕"),
    ("world", "🌍"),
    ("home", "🏠"),
    ("warning", "⚠"),
    ("danger", "⚠"),
    ("laugh", "😂"),
    ("funny", "😂"),
    ("happy", "😊"),
    ("sad", "😢"),
    ("wow", "😮"),
    ("amazing", "🤩"),
    ("crazy", "🤯"),
    ("mind", "🧠"),
    ("health", "🩺"),
    ("sleep", "😴"),
    ("star", "⭐"),
    ("camera", "📷"),
    ("video", "🎬"),
    ("light", "💡"),
    ("key", "🔑"),
];

/// The emoji that follows `word`, if the table has one.
pub fn emoji_for(word: &str) -> Option<&'static str> {
    let key = keyword_key(word);
    EMOJI.iter().find(|(known, _)| *known == key).map(|(_, emoji)| *emoji)
}
