package ops

// The plain-Go twins of the activation kernels: the Generic level, the
// purego build and the tails the vector kernels leave.

var actGo = actKernels{silu: siluGo, siluBack: siluBackGo, siluMul: siluMulGo, siluMulBack: siluMulBackGo}

// sigmoid32 is 1/(1+e^−x) in float32 with expf32, the Go twin of the vector
// kernels' sigmoid.
func sigmoid32(x float32) float32 { return 1 / (1 + expf32(-x)) }

func siluGo(x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = v * sigmoid32(v)
	}
}

func siluBackGo(x, dy, dx []float32) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	for i, v := range x {
		s := sigmoid32(v)
		dx[i] = dy[i] * (s * (1 + v*(1-s)))
	}
}

func siluMulGo(y, z, out []float32) {
	z, out = z[:len(y)], out[:len(y)]
	for i, v := range z {
		out[i] = y[i] * (v * sigmoid32(v))
	}
}

func siluMulBackGo(y, z, dout, dy, dz []float32) {
	z, dout = z[:len(y)], dout[:len(y)]
	for i, v := range z {
		s := sigmoid32(v)
		g := dout[i]
		if dz != nil {
			dz[i] = g * y[i] * (s * (1 + v*(1-s)))
		}
		if dy != nil {
			dy[i] = g * (v * s)
		}
	}
}

func reluGo(x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		if v > 0 || v != v {
			y[i] = v
		} else {
			y[i] = 0
		}
	}
}

func reluBackGo(x, dy, dx []float32) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}
