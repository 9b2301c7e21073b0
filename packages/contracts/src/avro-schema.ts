// The JSON shape of the Avro schemas in schema-contracts/: enough typing to walk them, not a full Avro model.

/** A type as written in a schema: a primitive or named-type reference, a union, or a complex type. */
export type AvroType = string | AvroType[] | AvroComplexType;

export interface AvroComplexType {
  type: string;
  name?: string;
  namespace?: string;
  doc?: string;
  logicalType?: string;
  fields?: AvroField[];
  symbols?: string[];
  default?: unknown;
  items?: AvroType;
  values?: AvroType;
  size?: number;
}

export interface AvroField {
  name: string;
  type: AvroType;
  doc?: string;
  default?: unknown;
}

/** Every contract is a record at the top. */
export interface AvroRecordSchema extends AvroComplexType {
  type: 'record';
  name: string;
  fields: AvroField[];
}
