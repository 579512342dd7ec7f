/**
 * A small builder for ONNX graphs on the `onnx-proto` schema (protobufjs): initializers, nodes,
 * typed inputs and outputs. The protobuf encoding itself is the library's.
 */
import { onnx } from 'onnx-proto';

/** A float32 tensor's shape and values, row-major. */
export interface FloatArray {
  dims: number[];
  values: Float32Array;
}

/** A dimension: a fixed size, or a named symbolic one (the batch, `N`). */
export type Dim = number | string;

/** Little-endian float32 bytes, as ONNX's raw_data requires on every host. */
function littleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

function attribute(name: string, value: number | number[]): onnx.IAttributeProto {
  if (Array.isArray(value)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value };
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function floatValueInfo(name: string, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();

  /** A float32 constant (weights); returns its name. */
  initializer(name: string, tensor: FloatArray): string {
    const expected = tensor.dims.reduce((a, b) => a * b, 1);
    if (expected !== tensor.values.length) throw new Error(`ONNX initializer '${name}': ${tensor.values.length} values for shape [${tensor.dims}]`);
    this.claim(name);
    this.initializers.push({ name, dims: tensor.dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: littleEndianBytes(tensor.values) });
    return name;
  }

  input(name: string, dims: Dim[]): string {
    this.claim(name);
    this.inputs.push(floatValueInfo(name, dims));
    return name;
  }

  /** Declares `name` (already produced by a node) as a graph output. */
  output(name: string, dims: Dim[]): void {
    this.outputs.push(floatValueInfo(name, dims));
  }

  /** Adds a node with one output named `output`; returns that name. */
  node(opType: string, inputs: string[], output: string, attributes: Record<string, number | number[]> = {}): string {
    this.claim(output);
    this.nodes.push({
      opType,
      name: `${output}/${opType}`,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  private claim(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`ONNX graph: the name '${name}' is used twice`);
    this.usedNames.add(name);
  }

  graph(name: string): onnx.IGraphProto {
    return { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }
}

export interface OnnxModelOptions {
  graph: onnx.IGraphProto;
  opset: number;
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
}

/** IR version 7 is the one that introduced opset 13; any runtime that runs opset 13 reads it. */
const IR_VERSION = 7;

export function encodeOnnxModel(o: OnnxModelOptions): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: o.opset }],
    producerName: 'bus-lab',
    producerVersion: o.producerVersion,
    docString: o.docString,
    graph: o.graph,
    metadataProps: Object.entries(o.metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Decodes a model (tests and `bus-lab export`'s summary read the metadata back this way). */
export function decodeOnnxModel(bytes: Uint8Array): onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
