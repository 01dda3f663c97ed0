//! L2-regularised logistic regression solved by Newton's method: the one solver behind every
//! model this crate fits (the word-rate reaction model, the embedding reaction model's two
//! readings and its Platt scaling). Pure and deterministic.

/// When Newton's method stops: after `max_steps`, or earlier once no parameter moves by more
/// than `tolerance`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewtonStop {
    pub max_steps: usize,
    pub tolerance: f64,
}

/// The parameters (intercept first) that minimise mean log-loss + `l2`/2 × |w|² on `rows` (all
/// the same size; the intercept is not penalised). `None` for no rows, one class only, ragged
/// rows, a singular system or parameters that are not finite.
pub fn newton_logistic<T: Copy + Into<f64>>(
    rows: &[&[T]],
    targets: &[f64],
    l2: f64,
    stop: NewtonStop,
) -> Option<Vec<f64>> {
    let size = rows.first()?.len();
    let positives = targets.iter().filter(|&&t| t > 0.5).count();
    if rows.len() != targets.len() || rows.iter().any(|row| row.len() != size) {
        return None;
    }
    if positives == 0 || positives == targets.len() {
        return None;
    }
    let dim = size + 1;
    let count = rows.len() as f64;
    let mut parameters = vec![0.0f64; dim];
    let mut x = vec![0.0f64; dim];
    for _ in 0..stop.max_steps {
        let mut gradient = vec![0.0f64; dim];
        let mut hessian = vec![0.0f64; dim * dim];
        for (row, target) in rows.iter().zip(targets) {
            x[0] = 1.0;
            for (slot, value) in x[1..].iter_mut().zip(row.iter()) {
                *slot = (*value).into();
            }
            let log_odds: f64 = x.iter().zip(&parameters).map(|(a, w)| a * w).sum();
            let probability = 1.0 / (1.0 + (-log_odds).exp());
            let curvature = probability * (1.0 - probability) / count;
            let residual = (probability - target) / count;
            for i in 0..dim {
                gradient[i] += residual * x[i];
                let weighted = curvature * x[i];
                // The Hessian is symmetric: fill the lower triangle, mirror it after.
                for (cell, xj) in hessian[i * dim..i * dim + i + 1].iter_mut().zip(&x[..=i]) {
                    *cell += weighted * xj;
                }
            }
        }
        for i in 0..dim {
            for j in 0..i {
                hessian[j * dim + i] = hessian[i * dim + j];
            }
        }
        for i in 1..dim {
            gradient[i] += l2 * parameters[i];
            hessian[i * dim + i] += l2;
        }
        let step = cholesky_solve(&mut hessian, &gradient, dim)?;
        for (parameter, delta) in parameters.iter_mut().zip(&step) {
            *parameter -= delta;
        }
        if step.iter().all(|delta| delta.abs() < stop.tolerance) {
            break;
        }
    }
    parameters.iter().all(|p| p.is_finite()).then_some(parameters)
}

/// Solves `matrix · x = vector` for a symmetric positive definite `matrix` (row-major,
/// `dim`×`dim`, overwritten by its Cholesky factor). `None` when not positive definite (or NaN).
fn cholesky_solve(matrix: &mut [f64], vector: &[f64], dim: usize) -> Option<Vec<f64>> {
    for j in 0..dim {
        let diagonal = matrix[j * dim + j] - (0..j).map(|k| matrix[j * dim + k].powi(2)).sum::<f64>();
        if diagonal.is_nan() || diagonal <= 1e-300 {
            return None;
        }
        let root = diagonal.sqrt();
        matrix[j * dim + j] = root;
        for i in j + 1..dim {
            let dot: f64 = (0..j).map(|k| matrix[i * dim + k] * matrix[j * dim + k]).sum();
            matrix[i * dim + j] = (matrix[i * dim + j] - dot) / root;
        }
    }
    let mut forward = vec![0.0; dim];
    for i in 0..dim {
        let dot: f64 = (0..i).map(|k| matrix[i * dim + k] * forward[k]).sum();
        forward[i] = (vector[i] - dot) / matrix[i * dim + i];
    }
    let mut solution = vec![0.0; dim];
    for i in (0..dim).rev() {
        let dot: f64 = (i + 1..dim).map(|k| matrix[k * dim + i] * solution[k]).sum();
        solution[i] = (forward[i] - dot) / matrix[i * dim + i];
    }
    Some(solution)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STOP: NewtonStop = NewtonStop { max_steps: 100, tolerance: 1e-12 };

    #[test]
    fn newton_matches_a_known_two_point_solution() {
        // Separable data with a strong penalty: the optimum is symmetric, intercept 0.
        let rows: [&[f32]; 2] = [&[1.0], &[-1.0]];
        let parameters = newton_logistic(&rows, &[1.0, 0.0], 1.0, STOP).expect("a fit");
        assert!(parameters[0].abs() < 1e-9, "{parameters:?}");
        // Stationary point of mean log-loss + w²/2: σ(-w) = w, so w ≈ 0.40106.
        assert!((parameters[1] - 0.401_058_1).abs() < 1e-5, "{parameters:?}");
    }

    #[test]
    fn f32_and_f64_rows_give_the_same_fit() {
        let narrow: Vec<[f32; 2]> = (0..40).map(|i| [(i % 7) as f32 * 0.5, ((i * 3) % 5) as f32]).collect();
        let wide: Vec<[f64; 2]> = narrow.iter().map(|row| [f64::from(row[0]), f64::from(row[1])]).collect();
        let targets: Vec<f64> = (0..40).map(|i| f64::from(u8::from(i % 7 > 3 || i % 11 == 0))).collect();
        let narrow_refs: Vec<&[f32]> = narrow.iter().map(|row| row.as_slice()).collect();
        let wide_refs: Vec<&[f64]> = wide.iter().map(|row| row.as_slice()).collect();
        let a = newton_logistic(&narrow_refs, &targets, 0.01, STOP).expect("a fit");
        let b = newton_logistic(&wide_refs, &targets, 0.01, STOP).expect("a fit");
        assert_eq!(a, b);
        assert!(a[1] > 0.0, "the first column decides most targets: {a:?}");
    }

    #[test]
    fn nothing_to_learn_from_gives_no_fit() {
        let rows: [&[f64]; 2] = [&[1.0], &[2.0]];
        assert!(newton_logistic(&rows, &[1.0, 1.0], 0.1, STOP).is_none(), "one class only");
        assert!(newton_logistic::<f64>(&[], &[], 0.1, STOP).is_none(), "no rows");
        let ragged: [&[f64]; 2] = [&[1.0], &[2.0, 3.0]];
        assert!(newton_logistic(&ragged, &[1.0, 0.0], 0.1, STOP).is_none(), "ragged rows");
        assert!(newton_logistic(&rows, &[1.0], 0.1, STOP).is_none(), "a target missing");
        let not_a_number: [&[f64]; 2] = [&[f64::NAN], &[2.0]];
        assert!(newton_logistic(&not_a_number, &[1.0, 0.0], 0.1, STOP).is_none(), "NaN in a row");
    }
}
