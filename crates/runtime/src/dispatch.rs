//! Running code that is generic over the backend on an [`crate::AnyModel`].

/// Runs `$body` with `$m` bound to the `&Model<B>` inside an
/// [`AnyModel`](crate::AnyModel) (given by reference), whichever backend it
/// is on; the body is compiled once per backend and may `.await`.
///
/// ```no_run
/// # fn demo(any: &kaoshi_runtime::AnyModel) {
/// let layers = kaoshi_runtime::with_model!(any, |m| m.config().n_layers);
/// # }
/// ```
#[macro_export]
macro_rules! with_model {
    ($any:expr, |$m:ident| $body:expr) => {
        match $any {
            $crate::AnyModel::Cpu($m) => {
                let $m = &**$m;
                $body
            }
            $crate::AnyModel::Gpu($m) => {
                let $m = &**$m;
                $body
            }
        }
    };
}

/// As [`with_model!`] for two models that must share a backend (a model
/// and its judge): `Some($body)` with both bound, `None` when they are on
/// different backends.
#[macro_export]
macro_rules! with_model_pair {
    ($a:expr, $b:expr, |$m:ident, $j:ident| $body:expr) => {
        match ($a, $b) {
            ($crate::AnyModel::Cpu($m), $crate::AnyModel::Cpu($j)) => {
                let ($m, $j) = (&**$m, &**$j);
                Some($body)
            }
            ($crate::AnyModel::Gpu($m), $crate::AnyModel::Gpu($j)) => {
                let ($m, $j) = (&**$m, &**$j);
                Some($body)
            }
            _ => None,
        }
    };
}
