//! Frontal face detection with rustface (SeetaFace), its model embedded in the binary.

use crate::GrayView;
use opusclip_core::{BoxF, FaceBox};

static MODEL_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/seeta_fd_frontal_v1.0.bin"));

/// A face detector; create one per thread and reuse it.
pub struct FaceDetector {
    detector: Box<dyn rustface::Detector>,
}

impl std::fmt::Debug for FaceDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FaceDetector")
    }
}

/// Smallest face searched for, in pixels of the analysed picture (rustface's minimum is 20).
pub const MIN_FACE_PIXELS: u32 = 24;

impl FaceDetector {
    /// Load the embedded model.
    pub fn new() -> opusclip_core::Result<FaceDetector> {
        let model = rustface::read_model(std::io::Cursor::new(MODEL_BYTES))
            .map_err(|e| opusclip_core::Error::model(format!("embedded face model is unreadable: {e}")))?;
        let mut detector = rustface::create_detector_with_model(model);
        detector.set_min_face_size(MIN_FACE_PIXELS);
        detector.set_score_thresh(2.0);
        detector.set_pyramid_scale_factor(0.8);
        detector.set_slide_window_step(4, 4);
        Ok(FaceDetector { detector })
    }

    /// Faces in `frame`, with boxes scaled by `scale` (analysed pixels → display pixels).
    pub fn detect(&mut self, frame: GrayView, scale: f64) -> Vec<FaceBox> {
        if frame.width < MIN_FACE_PIXELS || frame.height < MIN_FACE_PIXELS {
            return Vec::new();
        }
        if frame.data.len() != frame.width as usize * frame.height as usize {
            return Vec::new();
        }
        let image = rustface::ImageData::new(frame.data, frame.width, frame.height);
        self.detector
            .detect(&image)
            .into_iter()
            .map(|face| {
                let bbox = face.bbox();
                FaceBox {
                    bbox: BoxF {
                        x: f64::from(bbox.x()) * scale,
                        y: f64::from(bbox.y()) * scale,
                        w: f64::from(bbox.width()) * scale,
                        h: f64::from(bbox.height()) * scale,
                    },
                    score: face.score(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads_and_blank_picture_has_no_face() {
        let mut detector = FaceDetector::new().unwrap();
        let blank = vec![128u8; 320 * 180];
        assert!(detector.detect(GrayView { width: 320, height: 180, data: &blank }, 2.0).is_empty());
    }

    #[test]
    fn tiny_or_inconsistent_pictures_are_refused_without_panic() {
        let mut detector = FaceDetector::new().unwrap();
        assert!(detector.detect(GrayView { width: 10, height: 10, data: &[0; 100] }, 1.0).is_empty());
        assert!(detector.detect(GrayView { width: 64, height: 64, data: &[0; 10] }, 1.0).is_empty());
    }
}
