package ops

// The plain-Go twins of the streaming element-wise kernels.

var ewGo = ewKernels{addTo: addToGo, add: addGo, relu: reluGo, reluBack: reluBackGo}

func addToGo(x, acc []float32) {
	acc = acc[:len(x)]
	for i, v := range x {
		acc[i] += v
	}
}

func addGo(a, b, y []float32) {
	b, y = b[:len(a)], y[:len(a)]
	for i, v := range a {
		y[i] = v + b[i]
	}
}
