// Package predict scores new images with a trained model: anomaly score, verdict against a stored or given threshold, heat-map overlay and binary mask per image, and the calibration of that threshold.
package predict
