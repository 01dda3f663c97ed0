//! The moving crop window as an ffmpeg expression: keyframes in, a piecewise-linear function
//! of the clip time `t` out, written flat so that ffmpeg's evaluator stays shallow.

use opusclip_core::spec::CropKeyframe;

/// Two keyframes closer in time than this are a hard cut.
const HARD_CUT_SECONDS: f64 = 1e-6;

/// Terms summed at one parenthesis level of a crop expression.
const TERMS_PER_GROUP: usize = 16;

/// A coordinate of the crop window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// Left edge of the window.
    X,
    /// Top edge of the window.
    Y,
}

impl Axis {
    fn of(self, keyframe: &CropKeyframe) -> f64 {
        match self {
            Axis::X => keyframe.x,
            Axis::Y => keyframe.y,
        }
    }
}

/// The position of the crop window along `axis` as an ffmpeg expression of the clip time `t`:
/// linear between keyframes, held before the first and after the last, and a step where two
/// keyframes share a time (a hard cut; the later keyframe applies from that time on).
///
/// Written flat, as `v0 + Σ slope·(clip(t,t0,t1)−t0) + Σ jump·gte(t,tc)`, summed in groups of
/// 16 so that long paths stay shallow. The text has no `:` and no quotes, so it can be put in
/// single quotes inside a filter graph.
pub fn crop_expression(keyframes: &[CropKeyframe], axis: Axis) -> String {
    let mut ordered: Vec<&CropKeyframe> = keyframes.iter().collect();
    ordered.sort_by(|a, b| a.t.total_cmp(&b.t));
    let Some(first) = ordered.first() else {
        return "0".into();
    };
    let mut terms = vec![Term::constant(axis.of(first))];
    for pair in ordered.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let change = axis.of(to) - axis.of(from);
        if change == 0.0 {
            continue;
        }
        let span = to.t - from.t;
        terms.push(if span <= HARD_CUT_SECONDS {
            Term::scaled(change, format!("gte(t,{})", format_number(from.t)))
        } else {
            let (t0, t1) = (format_number(from.t), format_number(to.t));
            Term::scaled(change / span, format!("(clip(t,{t0},{t1})-{t0})"))
        });
    }
    grouped_sum(terms)
}

/// `coefficient · factor`, or a constant when there is no factor.
struct Term {
    coefficient: f64,
    factor: Option<String>,
}

impl Term {
    fn constant(value: f64) -> Self {
        Term { coefficient: value, factor: None }
    }
    fn scaled(coefficient: f64, factor: String) -> Self {
        Term { coefficient, factor: Some(factor) }
    }
    /// The term without its sign.
    fn magnitude_text(&self) -> String {
        let magnitude = self.coefficient.abs();
        match &self.factor {
            None => format_number(magnitude),
            Some(factor) if magnitude == 1.0 => factor.clone(),
            Some(factor) => format!("{}*{factor}", format_number(magnitude)),
        }
    }
}

/// Sums terms, parenthesising groups of [`TERMS_PER_GROUP`] until one level is left.
fn grouped_sum(mut terms: Vec<Term>) -> String {
    while terms.len() > TERMS_PER_GROUP {
        terms =
            terms.chunks(TERMS_PER_GROUP).map(|group| Term::scaled(1.0, format!("({})", flat_sum(group)))).collect();
    }
    flat_sum(&terms)
}

fn flat_sum(terms: &[Term]) -> String {
    let mut text = String::new();
    for (index, term) in terms.iter().enumerate() {
        if term.coefficient < 0.0 {
            text.push('-');
        } else if index > 0 {
            text.push('+');
        }
        text.push_str(&term.magnitude_text());
    }
    if text.is_empty() {
        text.push('0');
    }
    text
}

/// A number as ffmpeg reads it: plain decimal, at most 6 decimals, no trailing zeros.
pub(super) fn format_number(value: f64) -> String {
    let text = format!("{value:.6}");
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    match trimmed {
        "-0" | "" => "0".into(),
        _ => trimmed.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyframe(t: f64, x: f64, y: f64) -> CropKeyframe {
        CropKeyframe { t, x, y, w: 405.0, h: 720.0 }
    }

    /// What the expression must compute: linear interpolation, held outside the keyframes,
    /// the later keyframe of a same-time pair from that time on.
    fn interpolate(keyframes: &[CropKeyframe], axis: Axis, t: f64) -> f64 {
        let mut ordered = keyframes.to_vec();
        ordered.sort_by(|a, b| a.t.total_cmp(&b.t));
        let mut value = axis.of(&ordered[0]);
        for pair in ordered.windows(2) {
            let (from, to) = (&pair[0], &pair[1]);
            if t >= to.t {
                value = axis.of(to);
            } else if t > from.t {
                let fraction = (t - from.t) / (to.t - from.t);
                return axis.of(from) + (axis.of(to) - axis.of(from)) * fraction;
            } else {
                break;
            }
        }
        value
    }

    /// A tiny evaluator for the subset of ffmpeg's expression language the builder writes:
    /// numbers, `t`, `+ - *`, unary minus, parentheses, `clip(a,b,c)` and `gte(a,b)`.
    struct Evaluator<'a> {
        text: &'a [u8],
        position: usize,
        t: f64,
    }

    impl Evaluator<'_> {
        fn evaluate(text: &str, t: f64) -> f64 {
            let mut evaluator = Evaluator { text: text.as_bytes(), position: 0, t };
            let value = evaluator.sum();
            assert_eq!(evaluator.position, text.len(), "unparsed rest in {text}");
            value
        }
        fn peek(&self) -> Option<u8> {
            self.text.get(self.position).copied()
        }
        fn expect(&mut self, byte: u8) {
            assert_eq!(self.peek(), Some(byte), "at {}", self.position);
            self.position += 1;
        }
        fn sum(&mut self) -> f64 {
            let mut value = self.product();
            while let Some(op @ (b'+' | b'-')) = self.peek() {
                self.position += 1;
                let rhs = self.product();
                value = if op == b'+' { value + rhs } else { value - rhs };
            }
            value
        }
        fn product(&mut self) -> f64 {
            let mut value = self.factor();
            while self.peek() == Some(b'*') {
                self.position += 1;
                value *= self.factor();
            }
            value
        }
        fn arguments(&mut self) -> Vec<f64> {
            self.expect(b'(');
            let mut values = vec![self.sum()];
            while self.peek() == Some(b',') {
                self.position += 1;
                values.push(self.sum());
            }
            self.expect(b')');
            values
        }
        fn factor(&mut self) -> f64 {
            let rest = &self.text[self.position..];
            if rest.starts_with(b"-") {
                self.position += 1;
                -self.factor()
            } else if rest.starts_with(b"(") {
                self.position += 1;
                let value = self.sum();
                self.expect(b')');
                value
            } else if rest.starts_with(b"clip") {
                self.position += 4;
                let args = self.arguments();
                args[0].max(args[1]).min(args[2])
            } else if rest.starts_with(b"gte") {
                self.position += 3;
                let args = self.arguments();
                f64::from(u8::from(args[0] >= args[1]))
            } else if rest.starts_with(b"t") {
                self.position += 1;
                self.t
            } else {
                let length = rest.iter().take_while(|b| b.is_ascii_digit() || **b == b'.').count();
                self.position += length;
                std::str::from_utf8(&rest[..length])
                    .ok()
                    .and_then(|digits| digits.parse().ok())
                    .unwrap_or_else(|| panic!("no number at {}", self.position))
            }
        }
    }

    fn assert_matches_interpolation(keyframes: &[CropKeyframe], axis: Axis) {
        let expression = crop_expression(keyframes, axis);
        for step in -10..=130 {
            let t = f64::from(step) * 0.05;
            let expected = interpolate(keyframes, axis, t);
            let actual = Evaluator::evaluate(&expression, t);
            assert!((actual - expected).abs() < 1e-3, "t={t}: {actual} != {expected} for {expression}");
        }
    }

    #[test]
    fn moving_window_is_linear_between_keyframes() {
        let keyframes = [keyframe(0.0, 0.0, 10.0), keyframe(2.0, 600.0, 10.0)];
        assert_matches_interpolation(&keyframes, Axis::X);
        assert_matches_interpolation(&keyframes, Axis::Y);
        assert_eq!(Evaluator::evaluate(&crop_expression(&keyframes, Axis::X), 0.5), 150.0);
        assert_eq!(crop_expression(&keyframes, Axis::Y), "10");
    }

    #[test]
    fn path_with_holds_reversals_and_hard_cuts() {
        let keyframes = [
            keyframe(0.5, 100.0, 40.0),
            keyframe(1.0, 100.0, 40.0),
            keyframe(2.0, 350.5, 0.0),
            keyframe(2.0, 20.0, 300.0),
            keyframe(3.25, 875.0, 12.0),
            keyframe(4.0, 875.0, 12.0),
            keyframe(4.0, 0.0, 0.0),
            keyframe(5.0, 400.0, 80.0),
        ];
        assert_matches_interpolation(&keyframes, Axis::X);
        assert_matches_interpolation(&keyframes, Axis::Y);
        let at_cut = Evaluator::evaluate(&crop_expression(&keyframes, Axis::X), 2.0);
        assert_eq!(at_cut, 20.0, "the later keyframe applies at the cut");
    }

    #[test]
    fn unsorted_keyframes_are_ordered_by_time() {
        let keyframes = [keyframe(2.0, 600.0, 0.0), keyframe(0.0, 0.0, 0.0)];
        assert_matches_interpolation(&keyframes, Axis::X);
        assert_eq!(Evaluator::evaluate(&crop_expression(&keyframes, Axis::X), 1.0), 300.0);
    }

    #[test]
    fn long_paths_are_grouped_and_stay_correct() {
        let keyframes: Vec<CropKeyframe> =
            (0..200).map(|i| keyframe(f64::from(i) * 0.03, f64::from((i * 37) % 500), 0.0)).collect();
        let expression = crop_expression(&keyframes, Axis::X);
        assert_matches_interpolation(&keyframes, Axis::X);
        let max_depth = expression
            .chars()
            .scan(0i32, |depth, c| {
                *depth += i32::from(c == '(') - i32::from(c == ')');
                Some(*depth)
            })
            .max();
        assert!(max_depth <= Some(6), "nesting {max_depth:?}");
    }

    #[test]
    fn expression_is_safe_inside_single_quotes() {
        let keyframes = [keyframe(0.0, 5.0, 0.0), keyframe(1.0, 0.0, 0.0)];
        let expression = crop_expression(&keyframes, Axis::X);
        assert!(!expression.contains([':', '\'', '\\', ';', '[', ']']), "{expression}");
        assert_eq!(crop_expression(&[], Axis::X), "0");
    }

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(-0.0000001), "0");
        assert_eq!(format_number(1e-7 + 0.25), "0.25");
        assert_eq!(format_number(1234567.125), "1234567.125");
        assert_eq!(format_number(-3.5), "-3.5");
    }
}
